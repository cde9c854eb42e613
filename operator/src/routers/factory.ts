// Provider name -> router. The names are Flagger's `provider` values fledge supports; Flagger's
// versioned Gateway API names pick the HTTPRoute apiVersion.
import { z } from 'zod';
import { PROVIDER_NAMES } from '../api/provider.ts';
import { ContourRouter } from './contour.ts';
import { GatewayApiRouter } from './gatewayapi.ts';
import { IstioRouter } from './istio.ts';
import type { ObjectClient } from './kube-object.ts';
import { KubernetesRouter } from './kubernetes.ts';
import { NginxRouter } from './nginx.ts';
import { NopRouter } from './nop.ts';
import { TraefikRouter } from './traefik.ts';
import type { Router } from './router.ts';

// nop (no traffic shifting) is for tests and the bench; a Canary cannot name it.
export const routerProviders = [...PROVIDER_NAMES, 'nop'] as const;
export const routerProviderSchema = z.enum(routerProviders);
export type RouterProvider = z.infer<typeof routerProviderSchema>;

export class UnknownProviderError extends Error {
  override name = 'UnknownProviderError';
  constructor(provider: string) {
    super(`unknown traffic provider "${provider}": fledge supports ${routerProviders.join(', ')}`);
  }
}

/** A router for `provider`; an unknown name throws, never falls back to another provider. */
export function createRouter(provider: string, client: ObjectClient): Router {
  const parsed = routerProviderSchema.safeParse(provider);
  if (!parsed.success) throw new UnknownProviderError(provider);
  const name: RouterProvider = parsed.data;
  switch (name) {
    case 'gatewayapi':
    case 'gatewayapi:v1':
      return new GatewayApiRouter(client, 'gateway.networking.k8s.io/v1');
    case 'gatewayapi:v1beta1':
      return new GatewayApiRouter(client, 'gateway.networking.k8s.io/v1beta1');
    case 'istio':
      return new IstioRouter(client);
    case 'contour':
      return new ContourRouter(client);
    case 'traefik':
      return new TraefikRouter(client);
    case 'nginx':
      return new NginxRouter(client);
    case 'kubernetes':
      return new KubernetesRouter(client);
    case 'nop':
      return new NopRouter();
    default: {
      const unreachable: never = name;
      throw new UnknownProviderError(unreachable);
    }
  }
}
