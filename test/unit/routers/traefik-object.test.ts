import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT } from '../../../operator/src/api/gitops-metadata.ts';
import {
  buildTraefikService,
  revertedTraefikService,
  traefikServiceWeights,
  type TraefikService,
} from '../../../operator/src/routers/traefik-object.ts';
import { ownerRef, target } from './target.ts';

const entry = (name: string, weight: number) => ({ name, namespace: 'shop', port: 8080, weight });

describe('TraefikService', () => {
  it('a weighted round robin over both Services, both entries at every weight', () => {
    expect(buildTraefikService(target(), { primary: 100, canary: 0 }, undefined)).toEqual({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      metadata: {
        name: 'checkout',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'fledge' },
        annotations: { ...GITOPS_OPT_OUT },
        ownerReferences: [ownerRef],
      },
      spec: { weighted: { services: [entry('checkout-primary', 100), entry('checkout-canary', 0)] } },
    });
  });

  it('keeps sticky settings and other fields; reads a Flagger-written object without a canary entry', () => {
    const live: TraefikService = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      metadata: { name: 'checkout', namespace: 'shop', resourceVersion: '9' },
      spec: { weighted: { sticky: { cookie: { name: 'lb' } }, services: [entry('checkout-primary', 100)] } },
    };
    expect(traefikServiceWeights(target(), live)).toEqual({ primary: 100, canary: 0, mirror: false });
    const built = buildTraefikService(target(), { primary: 70, canary: 30 }, live);
    expect(built.spec?.weighted).toEqual({
      sticky: { cookie: { name: 'lb' } },
      services: [entry('checkout-primary', 70), entry('checkout-canary', 30)],
    });
    expect(buildTraefikService(target(), { primary: 70, canary: 30 }, built)).toEqual(built);
    const reverted = revertedTraefikService(target(), built);
    expect(reverted.spec?.weighted?.services).toEqual([entry('checkout', 100)]);
    expect(reverted.metadata.ownerReferences).toBeUndefined();
    expect(traefikServiceWeights(target(), reverted)).toBeUndefined();
  });
});
