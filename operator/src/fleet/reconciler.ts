// One pass over one FleetCanary: read every member cluster, decide (plan.ts), persist the decision
// in status, then act on it: open or abort gates, record Events. Nothing is sent before the status
// that calls for it is stored, and every command's text is fixed by (fleet, cluster, release,
// revision, attempt), so a crash anywhere in the pass, or a second hub, never opens a gate twice or
// for another release.
import type { V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_VERSION,
  GROUP,
  VERSION,
  fleetCanarySpecSchema,
  fleetCanaryStatusSchema,
  parseWith,
  type FleetCanarySpec,
  type FleetCanaryStatus,
} from '../api/index.ts';
import type { EventRecorder } from '../kube/events.ts';
import { apiMessage, httpStatus, isConflict } from '../kube/errors.ts';
import { parseSelector, SelectorError, type Requirement } from '../kube/label-selector.ts';
import type { KubeRest } from '../kube/rest.ts';
import { JSON_PATCH, resourcePath } from '../kube/rest.ts';
import { setCondition, type Condition } from '../status/conditions.ts';
import { canonicalJson } from '../workloads/revision.ts';
import type { FleetMetrics } from './metrics.ts';
import { MemberClient } from './member-client.ts';
import { plan, type Member, type Plan } from './plan.ts';

export interface FleetObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; uid: string; generation?: number; resourceVersion?: string };
  spec?: unknown;
  status?: unknown;
}

export interface FleetDeps {
  rest: KubeRest;
  events: EventRecorder;
  log: Logger;
  metrics: FleetMetrics;
  now: () => Date;
  /** Deadline of every request to a member cluster. */
  memberTimeoutMs: number;
  /** Members read at once. */
  memberConcurrency: number;
  clients: MemberClients;
}

export interface PassResult {
  /** When the fleet changes by time alone (a soak ends). */
  nextAt?: Date;
}

export const fleetPath = (namespace?: string, name?: string, subresource?: string) =>
  resourcePath({ group: GROUP, version: VERSION, plural: 'fleetcanaries', namespace, name, subresource });

/**
 * A member client per Secret and Canary namespace (FleetCanaries of other namespaces' Canaries may
 * select the same Secrets), rebuilt when the Secret changes (a rotated credential).
 */
const clientKey = (secretNamespace: string, secret: string, spec: FleetCanarySpec) =>
  `${secretNamespace}/${secret}/${spec.canaryRef.namespace}`;

export type MemberClients = Map<
  string,
  { version: string; client: MemberClient | { error: string }; usedAt: number }
>;

/** Forgets the clients of Secrets no pass has used for `idleMs` (deleted, or no longer selected). */
export function pruneClients(clients: MemberClients, now: number, idleMs: number): void {
  for (const [key, entry] of clients) if (now - entry.usedAt > idleMs) clients.delete(key);
}

export async function reconcileFleet(fleet: FleetObject, deps: FleetDeps): Promise<PassResult> {
  const { namespace, name } = fleet.metadata;
  const log = deps.log.child({ namespace, name, kind: 'FleetCanary' });
  const generation = fleet.metadata.generation ?? 0;
  const prior = parseWith(fleetCanaryStatusSchema, fleet.status ?? {});
  const status: FleetCanaryStatus = prior.ok ? prior.value : {};
  if (!prior.ok) log.warn({ errors: prior.errors }, 'status unreadable; deciding from an empty one');

  const spec = parseWith(fleetCanarySpecSchema, fleet.spec);
  if (!spec.ok) {
    const why = spec.errors.map((e) => `spec.${e.path}: ${e.message}`).join('; ');
    await writeStatus(fleet, deps, stalled(status, why, generation, deps.now()));
    return {};
  }
  const selectors = parseSelectors(spec.value);
  if ('error' in selectors) {
    await writeStatus(fleet, deps, stalled(status, selectors.error, generation, deps.now()));
    return {};
  }

  const secrets = await deps.rest.get<{ items: V1Secret[] }>(
    resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace }),
    { labelSelector: spec.value.clusters },
  );
  const members = await readMembers(
    secrets.items.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1)),
    spec.value,
    deps,
  );
  const decided = plan({
    spec: spec.value,
    waveSelectors: selectors.waves,
    status,
    members,
    uid: fleet.metadata.uid,
    now: deps.now(),
  });
  const next = withConditions(decided, members, status.conditions ?? [], generation, deps.now());
  // Persist, then act: a gate opened only after its approval is on record.
  if (!(await writeStatus(fleet, deps, next))) return { nextAt: new Date(deps.now().getTime() + 1000) };
  deps.metrics.observe(namespace, name, next);

  const byName = new Map(members.map((m) => [m.name, m]));
  await Promise.all(
    decided.commands.map(async (cmd) => {
      const client = deps.clients.get(clientKey(namespace, cmd.cluster, spec.value))?.client;
      if (!client || 'error' in client || !byName.has(cmd.cluster)) return;
      try {
        await client.send(spec.value.canaryRef.name, cmd.text);
        deps.metrics.commands.inc({ namespace, name, verb: cmd.verb });
        log.info({ cluster: cmd.cluster, verb: cmd.verb, revision: cmd.revision }, 'sent command');
      } catch (err) {
        // Sent again next pass: the same text is the same command.
        log.warn({ cluster: cmd.cluster, verb: cmd.verb, err: apiMessage(err) }, 'command not delivered');
      }
    }),
  );
  const involved = { apiVersion: API_VERSION, kind: 'FleetCanary', namespace, name, uid: fleet.metadata.uid };
  for (const e of decided.events) {
    await deps.events.record(
      involved,
      e.type,
      e.reason,
      e.message,
      // Once per release (its start names it: a release id can come back later), reason and message.
      `${fleet.metadata.uid}/${next.release?.startedAt}/${e.reason}/${e.message}`,
    );
  }
  return decided.nextAt ? { nextAt: decided.nextAt } : {};
}

function parseSelectors(spec: FleetCanarySpec): { waves: Requirement[][] } | { error: string } {
  const parse = (s: string, field: string) => {
    try {
      return parseSelector(s);
    } catch (err) {
      if (err instanceof SelectorError) throw new SelectorError(`${field}: ${err.message}`);
      throw err;
    }
  };
  try {
    parse(spec.clusters, 'spec.clusters');
    return { waves: spec.waves.map((w, i) => parse(w.clusters, `spec.waves[${i}].clusters`)) };
  } catch (err) {
    if (err instanceof SelectorError) return { error: err.message };
    throw err;
  }
}

async function readMembers(secrets: V1Secret[], spec: FleetCanarySpec, deps: FleetDeps): Promise<Member[]> {
  const out: Member[] = new Array<Member>(secrets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < secrets.length; i = next++) {
      const secret = secrets[i]!;
      const name = secret.metadata?.name ?? '';
      const key = clientKey(secret.metadata?.namespace ?? '', name, spec);
      const version = `${secret.metadata?.uid}/${secret.metadata?.resourceVersion}`;
      let entry = deps.clients.get(key);
      if (entry?.version !== version) {
        entry = {
          version,
          client: MemberClient.fromSecret(secret, spec.canaryRef.namespace, deps.memberTimeoutMs),
          usedAt: 0,
        };
        deps.clients.set(key, entry);
      }
      entry.usedAt = deps.now().getTime();
      const client = entry.client;
      const read =
        'error' in client
          ? ({ kind: 'unreachable', message: client.error } as const)
          : await client.read(spec.canaryRef.name, spec.releaseAnnotation);
      deps.metrics.memberReads.inc({ result: read.kind });
      out[i] = { name, labels: secret.metadata?.labels ?? {}, read };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.memberConcurrency) }, worker));
  return out;
}

function stalled(status: FleetCanaryStatus, why: string, generation: number, now: Date): FleetCanaryStatus {
  let conditions = setCondition(
    status.conditions ?? [],
    { type: 'Ready', status: false, reason: 'InvalidSpec', message: why },
    generation,
    now.toISOString(),
  );
  conditions = setCondition(
    conditions,
    { type: 'Stalled', status: true, reason: 'InvalidSpec', message: why },
    generation,
    now.toISOString(),
  );
  return { ...status, observedGeneration: generation, message: why, conditions };
}

/** kstatus conditions, plus MembersReachable naming every selected cluster the hub cannot read. */
function withConditions(
  decided: Plan,
  members: readonly Member[],
  prior: readonly Condition[],
  generation: number,
  now: Date,
): FleetCanaryStatus {
  const s = decided.status;
  const at = now.toISOString();
  const message = s.message ?? '';
  const ready = s.phase === 'Succeeded' || s.phase === 'Idle';
  let c = setCondition(
    prior,
    { type: 'Ready', status: ready, reason: s.phase ?? 'Idle', message },
    generation,
    at,
  );
  c = setCondition(
    c,
    { type: 'Reconciling', status: s.phase === 'Progressing', reason: s.phase ?? 'Idle', message },
    generation,
    at,
  );
  c = setCondition(
    c,
    { type: 'Stalled', status: s.phase === 'Halted', reason: s.phase ?? 'Idle', message },
    generation,
    at,
  );
  // Every selected member, in a release or not: a broken credential shows before it matters.
  const lost = members.flatMap((m) =>
    m.read.kind === 'canary' ? [] : [{ name: m.name, message: m.read.message }],
  );
  const selected = new Set(members.map((m) => m.name));
  for (const cl of s.clusters ?? []) {
    if (!selected.has(cl.name)) lost.push({ name: cl.name, message: cl.message ?? 'not selected any more' });
  }
  c = setCondition(
    c,
    lost.length
      ? {
          type: 'MembersReachable',
          status: false,
          reason: 'MembersUnreachable',
          message: lost.map((m) => `${m.name}: ${m.message}`).join('; '),
        }
      : {
          type: 'MembersReachable',
          status: true,
          reason: 'AllRead',
          message: 'every member cluster was read',
        },
    generation,
    at,
  );
  return { ...s, observedGeneration: generation, conditions: c };
}

/**
 * Replaces status (a JSON patch: nothing of the previous status survives that this one does not
 * say) only if the FleetCanary still has the resourceVersion the pass read: a pass that decided on
 * a stale status (another hub, a pass of the previous leader) is refused and sends nothing. An
 * unchanged status is not written. False when refused.
 */
async function writeStatus(fleet: FleetObject, deps: FleetDeps, status: FleetCanaryStatus): Promise<boolean> {
  const { namespace, name, resourceVersion } = fleet.metadata;
  if (fleet.status !== undefined && canonicalJson(fleet.status) === canonicalJson(status)) return true;
  try {
    await deps.rest.patch(
      fleetPath(namespace, name, 'status'),
      [
        ...(resourceVersion
          ? [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }]
          : []),
        { op: 'add', path: '/status', value: status },
      ],
      JSON_PATCH,
    );
    return true;
  } catch (err) {
    // A failed test is a 422 naming the op; a 409 is the same race seen by the API server's storage.
    if (isConflict(err) || (httpStatus(err) === 422 && /test/i.test(apiMessage(err)))) return false;
    throw err;
  }
}
