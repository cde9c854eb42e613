import { describe, expect, it } from 'vitest';
import { resourcePath } from '../../../operator/src/kube/rest.ts';

describe('resourcePath', () => {
  it('spells core and group paths, namespaced or across namespaces', () => {
    expect(resourcePath({ group: '', version: 'v1', plural: 'configmaps' })).toBe('/api/v1/configmaps');
    expect(resourcePath({ group: '', version: 'v1', plural: 'secrets', namespace: 'a', name: 's' })).toBe(
      '/api/v1/namespaces/a/secrets/s',
    );
    expect(resourcePath({ group: 'apps', version: 'v1', plural: 'deployments', namespace: '' })).toBe(
      '/apis/apps/v1/deployments',
    );
  });

  it('adds a subresource only to an object, and escapes names', () => {
    const canaries = { group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'ns' };
    expect(resourcePath({ ...canaries, name: 'web', subresource: 'status' })).toBe(
      '/apis/fledge.dev/v1alpha1/namespaces/ns/canaries/web/status',
    );
    expect(resourcePath({ ...canaries, subresource: 'status' })).toBe(
      '/apis/fledge.dev/v1alpha1/namespaces/ns/canaries',
    );
    expect(resourcePath({ ...canaries, name: 'a/b' })).toBe(
      '/apis/fledge.dev/v1alpha1/namespaces/ns/canaries/a%2Fb',
    );
  });
});
