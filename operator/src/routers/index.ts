// The routers' public surface for the reconciler (docs/routing.md).
export { createRouter, routerProviders, routerProviderSchema, UnknownProviderError } from './factory.ts';
export type { RouterProvider } from './factory.ts';
export { kubeObjectClient } from './object-client.ts';
export { ConflictError } from './kube-object.ts';
export type { KubeObject, ObjectClient, ObjectMeta, ObjectRef, OwnerReference } from './kube-object.ts';
export { InvalidRoutingError, RouteConflictError, RouteNotFoundError, RouterError } from './errors.ts';
export { initialWeights } from './router.ts';
export type { GatewayRef, HttpMatch, Router, RouteTarget, RouteWeights, StringMatch } from './router.ts';
