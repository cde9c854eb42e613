import { describe, expect, it } from 'vitest';
import { InvalidRoutingError } from '../../../operator/src/routers/errors.ts';
import {
  apexWithSelector,
  selectedSide,
  sideFor,
  type Service,
} from '../../../operator/src/routers/kubernetes-object.ts';
import type { RouteWeights } from '../../../operator/src/routers/router.ts';

const object = 'Service shop/checkout';
const selectors = { primary: { app: 'checkout-primary' }, canary: { app: 'checkout' } };
const apex: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'checkout', namespace: 'shop', annotations: { keep: 'me' } },
  spec: {
    selector: { app: 'checkout-primary' },
    ports: [{ port: 80, targetPort: 'http' }],
    trafficDistribution: 'PreferClose',
  },
};

describe('kubernetes blue/green', () => {
  it.each<[RouteWeights, 'primary' | 'canary']>([
    [{ primary: 100, canary: 0 }, 'primary'],
    [{ primary: 0, canary: 100 }, 'canary'],
  ])('weights %j select the %s pods', (w, side) => {
    expect(sideFor(object, w)).toBe(side);
  });

  it.each<[RouteWeights, RegExp]>([
    [{ primary: 90, canary: 10 }, /100\/0 or 0\/100\), got primary 90 canary 10/],
    [{ primary: 50, canary: 50 }, /100\/0 or 0\/100/],
    [{ primary: 100, canary: 0, mirror: true }, /cannot mirror/],
  ])('refuses %j', (w, message) => {
    expect(() => sideFor(object, w)).toThrow(InvalidRoutingError);
    expect(() => sideFor(object, w)).toThrow(message);
  });

  it('changes only the selector', () => {
    const switched = apexWithSelector(apex, selectors.canary);
    expect(switched).toEqual({ ...apex, spec: { ...apex.spec, selector: { app: 'checkout' } } });
    expect(apex.spec?.selector).toEqual({ app: 'checkout-primary' });
  });

  it.each([
    [{ app: 'checkout-primary' }, 'primary'],
    [{ app: 'checkout' }, 'canary'],
    [{ app: 'checkout', extra: 'x' }, undefined],
    [undefined, undefined],
  ])('selector %j selects %s', (selector, side) => {
    expect(selectedSide({ ...apex, spec: { ...apex.spec, selector } }, selectors)).toBe(side);
  });
});
