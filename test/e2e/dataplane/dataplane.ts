// TEST INFRASTRUCTURE (loopback data plane): the operator never imports this.
//
// Starts the whole loopback data plane in-process: the two backend slots (backends.ts), the router
// following fledge's routing object (router.ts) with its /metrics endpoint, and, when rps > 0, a
// steady load through the router (load.ts). Service names map to slots the way fledge wires them:
// `<service>-primary` and the apex `<service>` (which selects the primary pods once fledge has
// initialised) go to the primary slot, `<service>-canary` to the canary slot.
import type { KubeConfig } from '@kubernetes/client-node';
import { startBackends, type Backends } from './backends.ts';
import { startLoad, type Load } from './load.ts';
import { startRouter, type ObservedSplit, type RouteProvider, type Router } from './router.ts';
import type { MeshMetrics } from './metrics.ts';
import type { SplitMode } from './weighted.ts';

export interface DataPlaneOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Canary's targetRef name: the canary slot follows Deployment `<app>`, the primary `<app>-primary`. */
  app: string;
  /** The Canary's service name (default: app). */
  service?: string;
  /** Steady requests per second through the router; 0 or absent starts no load. */
  rps?: number;
  loadHeaders?: Record<string, string>;
  /** Bound on the load's duration (default 10 minutes). */
  loadMaxDurationMs?: number;
  provider?: RouteProvider;
  gatewayApiVersion?: 'v1' | 'v1beta1';
  /** provider nginx: the main Ingress (the router follows `<ingress>-canary`). */
  ingress?: string;
  split?: SplitMode;
  /** provider gatewayapi: the mesh metrics exported besides http_* (default both). */
  meshMetrics?: MeshMetrics;
}

export interface DataPlane {
  routerUrl: string;
  /** 127.0.0.1:<port>, the scrape target for Prometheus (path /metrics). */
  metricsTarget: string;
  metricsUrl: string;
  backends: Backends;
  router: Router;
  load: Load | undefined;
  observedSplit(): ObservedSplit;
  stop(): Promise<void>;
}

export async function startDataPlane(o: DataPlaneOptions): Promise<DataPlane> {
  const service = o.service ?? o.app;
  const backends = await startBackends({ kubeConfig: o.kubeConfig, namespace: o.namespace, app: o.app });
  let router: Router;
  try {
    router = await startRouter({
      kubeConfig: o.kubeConfig,
      namespace: o.namespace,
      service,
      backends: {
        [service]: backends.primary.url,
        [`${service}-primary`]: backends.primary.url,
        [`${service}-canary`]: backends.canary.url,
      },
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.gatewayApiVersion ? { gatewayApiVersion: o.gatewayApiVersion } : {}),
      ...(o.ingress ? { ingress: o.ingress } : {}),
      ...(o.split ? { split: o.split } : {}),
      ...(o.meshMetrics ? { meshMetrics: o.meshMetrics } : {}),
    });
  } catch (err) {
    await backends.stop();
    throw err;
  }
  const load =
    o.rps && o.rps > 0
      ? startLoad({
          url: router.url,
          rps: o.rps,
          ...(o.loadHeaders ? { headers: o.loadHeaders } : {}),
          ...(o.loadMaxDurationMs ? { maxDurationMs: o.loadMaxDurationMs } : {}),
        })
      : undefined;
  return {
    routerUrl: router.url,
    metricsTarget: router.metricsTarget,
    metricsUrl: router.metricsUrl,
    backends,
    router,
    load,
    observedSplit: () => router.observedSplit(),
    stop: async () => {
      await load?.stop();
      await router.stop();
      await backends.stop();
    },
  };
}
