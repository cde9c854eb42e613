// TEST INFRASTRUCTURE: the loopback data plane that stands in for an ingress controller or mesh in
// e2e tests and the demo (docs/dataplane.md). The operator never imports it.
export { startDataPlane, type DataPlane, type DataPlaneOptions } from './dataplane.ts';
export { startBackends, type Backend, type Backends, type BackendsOptions, type Slot } from './backends.ts';
export {
  startRouter,
  backendHeader,
  type ObservedSplit,
  type Router,
  type RouterOptions,
  type RouteProvider,
} from './router.ts';
export { startLoad, type Load, type LoadCounts, type LoadOptions } from './load.ts';
export {
  errorRateAnnotation,
  latencyAnnotation,
  slotState,
  type Behaviour,
  type SlotState,
} from './behaviour.ts';
export { durationBuckets } from './metrics.ts';
export type { SplitMode } from './weighted.ts';
