// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// The fake application: one HTTP server on 127.0.0.1 per version slot. The primary slot plays the
// pods of Deployment `<app>-primary`, the canary slot those of Deployment `<app>` (the Canary's
// target), each following its Deployment on the real API server (see behaviour.ts for the pod
// template annotations it reads). Every answer carries the slot, Deployment and version in headers
// so the router can label its metrics the way a mesh labels by pod.
import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { slotState, type DeploymentLike, type SlotState } from './behaviour.ts';
import { closeServer, listenLoopback, loopback } from './loopback.ts';
import { watchObject, whenSynced, type ObjectWatch } from './watch-object.ts';

export type Slot = 'primary' | 'canary';

export const versionHeader = 'x-fledge-version';
export const deploymentHeader = 'x-fledge-deployment';
export const slotHeader = 'x-fledge-slot';

export interface BackendsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Canary's target Deployment; the primary is `<app>-primary`. */
  app: string;
}

export interface Backend {
  slot: Slot;
  deployment: string;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The behaviour in effect now. */
  state(): SlotState;
}

export interface Backends {
  primary: Backend;
  canary: Backend;
  stop(): Promise<void>;
}

function answer(slot: Slot, state: SlotState, res: ServerResponse, pending: Set<NodeJS.Timeout>): void {
  const headers = {
    [slotHeader]: slot,
    [deploymentHeader]: state.deployment,
    [versionHeader]: state.version,
  };
  if (!state.serving) {
    res.writeHead(503, { ...headers, 'content-type': 'text/plain' }).end(`${state.reason}\n`);
    return;
  }
  const { errorRate, latencyMs } = state.behaviour;
  const code = Math.random() < errorRate ? 500 : 200;
  const body = JSON.stringify({ slot, deployment: state.deployment, version: state.version, code });
  const reply = () => {
    if (!res.destroyed) res.writeHead(code, { ...headers, 'content-type': 'application/json' }).end(body);
  };
  if (latencyMs <= 0) return reply();
  const timer = setTimeout(() => (pending.delete(timer), reply()), latencyMs);
  pending.add(timer);
}

async function startBackend(o: BackendsOptions, slot: Slot): Promise<Backend & { stop(): Promise<void> }> {
  const deployment = slot === 'primary' ? `${o.app}-primary` : o.app;
  const apps = o.kubeConfig.makeApiClient(AppsV1Api);
  let state = slotState(deployment, undefined);
  const watch: ObjectWatch<DeploymentLike> = watchObject<DeploymentLike>({
    kubeConfig: o.kubeConfig,
    path: `/apis/apps/v1/namespaces/${o.namespace}/deployments`,
    name: deployment,
    list: (fieldSelector) => apps.listNamespacedDeployment({ namespace: o.namespace, fieldSelector }),
    onChange: (d) => (state = slotState(deployment, d)),
  });
  const pending = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    answer(slot, state, res, pending);
  });
  server.keepAliveTimeout = 30_000;
  try {
    await whenSynced(watch, `Deployment ${o.namespace}/${deployment}`);
  } catch (err) {
    await watch.stop();
    throw err;
  }
  const port = await listenLoopback(server);
  return {
    slot,
    deployment,
    url: `http://${loopback}:${port}`,
    state: () => state,
    stop: async () => {
      await watch.stop();
      for (const t of pending) clearTimeout(t);
      await closeServer(server);
    },
  };
}

/** Starts both slots and resolves once each has read its Deployment (or found it missing). */
export async function startBackends(o: BackendsOptions): Promise<Backends> {
  const started = await Promise.allSettled([startBackend(o, 'primary'), startBackend(o, 'canary')]);
  const [primary, canary] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  if (!primary || !canary) {
    await Promise.all([primary?.stop(), canary?.stop()]);
    const failed = started.find((s) => s.status === 'rejected');
    throw failed?.reason ?? new Error('backends did not start');
  }
  return {
    primary,
    canary,
    stop: async () => {
      await Promise.all([primary.stop(), canary.stop()]);
    },
  };
}
