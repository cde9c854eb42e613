import type { V1DaemonSet, V1DaemonSetStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildPrimaryDaemonSet, buildServices } from '../../../operator/src/workloads/primary.ts';
import { daemonSetReadiness, workloadReadiness } from '../../../operator/src/workloads/readiness.ts';
import { targetRevision } from '../../../operator/src/workloads/revision.ts';
import {
  daemonSetScalePatch,
  isHeldAtZero,
  releasedTemplate,
  SCALE_TO_ZERO_KEY,
  unsupportedTarget,
} from '../../../operator/src/workloads/workload.ts';

const owner = {
  apiVersion: 'fledge.dev/v1alpha1',
  kind: 'Canary',
  name: 'agent',
  uid: 'u1',
  controller: true,
};
const daemonSet = (nodeSelector?: Record<string, string>, status?: V1DaemonSetStatus): V1DaemonSet => ({
  metadata: { name: 'agent', namespace: 'ops', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 as never } },
    minReadySeconds: 5,
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        ...(nodeSelector ? { nodeSelector } : {}),
        containers: [{ name: 'agent', image: 'agent:1' }],
      },
    },
  },
  ...(status ? { status } : {}),
});
const held = (extra: Record<string, string> = {}) => daemonSet({ ...extra, [SCALE_TO_ZERO_KEY]: 'true' });

describe('a DaemonSet held at zero', () => {
  it('is the same release as the one running: the key is not part of the revision', () => {
    const running = targetRevision(releasedTemplate(daemonSet().spec?.template), {});
    expect(targetRevision(releasedTemplate(held().spec?.template), {})).toBe(running);
    const pinned = daemonSet({ disk: 'ssd' });
    expect(targetRevision(releasedTemplate(held({ disk: 'ssd' }).spec?.template), {})).toBe(
      targetRevision(releasedTemplate(pinned.spec?.template), {}),
    );
    // A real nodeSelector change is a new release.
    expect(targetRevision(releasedTemplate(pinned.spec?.template), {})).not.toBe(running);
  });

  it('is held and run by merge patches that touch only the key, and none when already so', () => {
    expect(daemonSetScalePatch(daemonSet(), false)).toEqual({
      spec: { template: { spec: { nodeSelector: { [SCALE_TO_ZERO_KEY]: 'true' } } } },
    });
    expect(daemonSetScalePatch(held(), false)).toBeUndefined();
    expect(daemonSetScalePatch(held({ disk: 'ssd' }), true)).toEqual({
      spec: { template: { spec: { nodeSelector: { [SCALE_TO_ZERO_KEY]: null } } } },
    });
    expect(daemonSetScalePatch(daemonSet(), true)).toBeUndefined();
    // A DaemonSet Flagger left at zero runs again under fledge.
    const flaggers = daemonSet({ 'flagger.app/scale-to-zero': 'true' });
    expect(isHeldAtZero(flaggers)).toBe(true);
    expect(daemonSetScalePatch(flaggers, true)).toEqual({
      spec: { template: { spec: { nodeSelector: { 'flagger.app/scale-to-zero': null } } } },
    });
  });
});

describe('the primary DaemonSet', () => {
  it('copies the released template, selector suffixed, never the key, with the rollout settings', () => {
    const p = buildPrimaryDaemonSet(held({ disk: 'ssd' }), owner, 'rev1', { configMaps: [], secrets: [] });
    expect(p.kind).toBe('DaemonSet');
    expect(p.metadata?.name).toBe('agent-primary');
    expect(p.spec?.selector).toEqual({ matchLabels: { app: 'agent-primary' } });
    expect(p.spec?.template.metadata?.labels).toEqual({ app: 'agent-primary' });
    expect(p.spec?.template.spec?.nodeSelector).toEqual({ disk: 'ssd' });
    expect(p.spec).toMatchObject({ minReadySeconds: 5, updateStrategy: { type: 'RollingUpdate' } });
    expect(p.spec).not.toHaveProperty('replicas');
  });

  it('Services select the primary and the target pods by the same label', () => {
    const [apex, primary, canary] = buildServices(
      daemonSet(),
      owner,
      {
        name: 'agent',
        port: 80,
        portName: 'http',
        targetPort: 8080,
      },
      'DaemonSet',
    );
    expect(apex?.spec?.selector).toEqual({ app: 'agent-primary' });
    expect(primary?.spec?.selector).toEqual({ app: 'agent-primary' });
    expect(canary?.spec?.selector).toEqual({ app: 'agent' });
  });

  it('names the kind when the selector label is missing', () => {
    const t = daemonSet();
    t.spec!.selector = { matchLabels: { tier: 'x' } };
    expect(() => buildPrimaryDaemonSet(t, owner, 'r', { configMaps: [], secrets: [] })).toThrow(
      /^DaemonSet agent has no app, name or app.kubernetes.io\/name selector label/,
    );
  });
});

describe('DaemonSet readiness', () => {
  const status = (s: Partial<V1DaemonSetStatus>): V1DaemonSetStatus => ({
    currentNumberScheduled: 3,
    numberMisscheduled: 0,
    numberReady: 3,
    desiredNumberScheduled: 3,
    observedGeneration: 2,
    ...s,
  });
  it.each([
    ['rolled out', status({ updatedNumberScheduled: 3, numberAvailable: 3 }), 100, true, /3 of 3 pods/],
    ['old generation', status({ observedGeneration: 1 }), 100, false, /not observed/],
    ['rolling', status({ updatedNumberScheduled: 1, numberAvailable: 3 }), 100, false, /1 of 3 updated/],
    [
      'unavailable',
      status({ updatedNumberScheduled: 3, numberAvailable: 1 }),
      100,
      false,
      /1 of 3 pods available/,
    ],
    ['at a 30% threshold', status({ updatedNumberScheduled: 3, numberAvailable: 1 }), 30, true, /1 of 3/],
    ['no eligible node', status({ desiredNumberScheduled: 0 }), 100, false, /no node to run on/],
  ] as const)('%s', (_name, s, threshold, ready, reason) => {
    const r = daemonSetReadiness({ ...daemonSet(), status: s }, threshold);
    expect(r.ready).toBe(ready);
    expect(r.reason).toMatch(reason);
  });

  it('is never ready while held at zero, whatever its status says', () => {
    const ds = { ...held(), status: status({ updatedNumberScheduled: 3, numberAvailable: 3 }) };
    expect(workloadReadiness('DaemonSet', ds).reason).toMatch(/scaled to zero/);
    expect(workloadReadiness('DaemonSet', undefined).reason).toMatch(/daemonset not found/);
  });
});

describe('unsupportedTarget', () => {
  it('refuses a DaemonSet that would never roll a promotion out (OnDelete)', () => {
    const ds = daemonSet();
    expect(unsupportedTarget('DaemonSet', ds)).toBeUndefined();
    ds.spec!.updateStrategy = { type: 'OnDelete' };
    expect(unsupportedTarget('DaemonSet', ds)).toBe(
      'DaemonSet ops/agent must use updateStrategy RollingUpdate, not OnDelete',
    );
  });
});
