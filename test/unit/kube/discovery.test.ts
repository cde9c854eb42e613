import { describe, expect, it } from 'vitest';
import { Discovery, UnrecognizedKindError } from '../../../operator/src/kube/discovery.ts';
import { KubeApiError } from '../../../operator/src/kube/rest.ts';

const routes = {
  resources: [
    { name: 'httproutes', kind: 'HTTPRoute', namespaced: true },
    { name: 'httproutes/status', kind: 'HTTPRoute', namespaced: true },
    { name: 'gatewayclasses', kind: 'GatewayClass', namespaced: false },
  ],
};

/** Answers discovery GETs from a script of results, counting them. */
function scripted(...answers: (object | Error)[]) {
  const asked: string[] = [];
  return {
    asked,
    rest: {
      get: async <T>(path: string): Promise<T> => {
        asked.push(path);
        const next = answers.shift();
        if (!next) throw new Error('no more answers');
        if (next instanceof Error) throw next;
        return next as T;
      },
    },
  };
}

describe('Discovery', () => {
  it('spells namespaced and cluster-scoped paths from one discovery request', async () => {
    const s = scripted(routes);
    const d = new Discovery(s.rest);
    expect(await d.path('gateway.networking.k8s.io/v1', 'HTTPRoute', 'ns', 'web')).toBe(
      '/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes/web',
    );
    expect(await d.path('gateway.networking.k8s.io/v1', 'HTTPRoute', '')).toBe(
      '/apis/gateway.networking.k8s.io/v1/httproutes',
    );
    expect(await d.path('gateway.networking.k8s.io/v1', 'GatewayClass', 'ns', 'gc')).toBe(
      '/apis/gateway.networking.k8s.io/v1/gatewayclasses/gc',
    );
    expect(s.asked).toEqual(['/apis/gateway.networking.k8s.io/v1']);
  });

  it('asks again for a kind it does not know, and finds one served later', async () => {
    const later = {
      resources: [...routes.resources, { name: 'grpcroutes', kind: 'GRPCRoute', namespaced: true }],
    };
    const d = new Discovery(scripted(routes, routes, later).rest);
    await d.path('gateway.networking.k8s.io/v1', 'HTTPRoute', 'ns');
    await expect(d.path('gateway.networking.k8s.io/v1', 'GRPCRoute', 'ns')).rejects.toBeInstanceOf(
      UnrecognizedKindError,
    );
    expect(await d.path('gateway.networking.k8s.io/v1', 'GRPCRoute', 'ns')).toContain('/grpcroutes');
  });

  it('keeps the kinds it knows when a later discovery request fails', async () => {
    const s = scripted(routes, new KubeApiError(503, 'unavailable', 'GET', '/apis'));
    const d = new Discovery(s.rest);
    await d.path('gateway.networking.k8s.io/v1', 'HTTPRoute', 'ns');
    await expect(d.path('gateway.networking.k8s.io/v1', 'GRPCRoute', 'ns')).rejects.toThrow('503');
    expect(await d.path('gateway.networking.k8s.io/v1', 'HTTPRoute', 'ns', 'web')).toContain(
      '/httproutes/web',
    );
    expect(s.asked).toHaveLength(2);
  });

  it('reads a group version that is not served as an unrecognized kind, and refuses an object path without a namespace', async () => {
    const d = new Discovery(scripted(new KubeApiError(404, 'not found', 'GET', '/apis/x/v1'), routes).rest);
    await expect(d.path('x/v1', 'Thing', 'ns')).rejects.toBeInstanceOf(UnrecognizedKindError);
    await expect(d.path('gateway.networking.k8s.io/v1', 'HTTPRoute', '', 'web')).rejects.toThrow(
      'a namespaced kind needs a namespace',
    );
  });
});
