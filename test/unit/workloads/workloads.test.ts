import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GITOPS_OPT_OUT, isInventoryKey } from '../../../operator/src/api/gitops-metadata.ts';
import { referencedConfigs, withPrimaryConfigRefs } from '../../../operator/src/workloads/configs.ts';
import {
  buildPrimary,
  buildServices,
  discoverPorts,
  promotedPrimaryMetadata,
  REVISION_ANNOTATION,
} from '../../../operator/src/workloads/primary.ts';
import { deploymentReadiness } from '../../../operator/src/workloads/readiness.ts';
import { configChecksum, targetRevision } from '../../../operator/src/workloads/revision.ts';

const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'web', uid: 'u1', controller: true };
const target = (image = 'web:1'): V1Deployment => ({
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', version: 'x' } },
      spec: {
        containers: [
          {
            name: 'app',
            image,
            env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } }],
            envFrom: [{ secretRef: { name: 'creds' } }],
          },
        ],
        volumes: [{ name: 'v', configMap: { name: 'files' } }],
      },
    },
  },
});

describe('primary and services', () => {
  it('builds <name>-primary with the selector label suffixed and configs renamed', () => {
    const tracked = referencedConfigs(target().spec!.template.spec);
    expect(tracked).toEqual({ configMaps: ['files', 'settings'], secrets: ['creds'] });
    const p = buildPrimary(target(), owner, 'rev1', tracked, 3);
    expect(p.metadata?.name).toBe('web-primary');
    expect(p.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('rev1');
    expect(p.metadata?.ownerReferences).toEqual([owner]);
    expect(p.spec?.selector.matchLabels).toEqual({ app: 'web-primary' });
    expect(p.spec?.template.metadata?.labels).toEqual({ app: 'web-primary', version: 'x' });
    const c = p.spec!.template.spec!.containers[0]!;
    expect(c.env![0]!.valueFrom!.configMapKeyRef!.name).toBe('settings-primary');
    expect(c.envFrom![0]!.secretRef!.name).toBe('creds-primary');
    expect(p.spec!.template.spec!.volumes![0]!.configMap!.name).toBe('files-primary');
    // the target is not modified
    expect(target().spec!.template.spec!.containers[0]!.env![0]!.valueFrom!.configMapKeyRef!.name).toBe(
      'settings',
    );
  });

  it('leaves untracked configs alone', () => {
    const spec = withPrimaryConfigRefs(target().spec!.template.spec!, {
      configMaps: ['settings'],
      secrets: [],
    });
    expect(spec.containers[0]!.envFrom![0]!.secretRef!.name).toBe('creds');
    expect(spec.volumes![0]!.configMap!.name).toBe('files');
  });

  it('refuses a target without a known selector label', () => {
    const t = target();
    t.spec!.selector.matchLabels = { tier: 'web' };
    expect(() => buildPrimary(t, owner, 'r', { configMaps: [], secrets: [] }, 1)).toThrow(
      /no app, name or app.kubernetes.io\/name/,
    );
  });

  it('builds apex and primary services on primary pods and the canary service on target pods', () => {
    const services = buildServices(target(), owner, {
      name: 'web',
      port: 80,
      portName: 'http',
      targetPort: 8080,
    });
    expect(services.map((s) => [s.metadata?.name, s.spec?.selector])).toEqual([
      ['web', { app: 'web-primary' }],
      ['web-primary', { app: 'web-primary' }],
      ['web-canary', { app: 'web' }],
    ]);
    expect(services[0]!.spec?.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
  });
});

describe('service metadata and port discovery', () => {
  it('puts service.apex/primary/canary labels and annotations on the generated Services', () => {
    const services = buildServices(target(), owner, {
      name: 'web',
      port: 80,
      portName: 'http',
      targetPort: 8080,
      metadata: { apex: { annotations: { a: '1' } }, canary: { labels: { tier: 'canary', app: 'ignored' } } },
    });
    expect(services[0]!.metadata?.annotations).toEqual({ a: '1', ...GITOPS_OPT_OUT });
    expect(services[1]!.metadata?.annotations).toEqual(GITOPS_OPT_OUT);
    // fledge's own selector label wins over a user label of the same key
    expect(services[2]!.metadata?.labels).toMatchObject({ tier: 'canary', app: 'web-canary' });
  });

  it('discovers every other TCP container port', () => {
    const t = target();
    t.spec!.template.spec!.containers[0]!.ports = [
      { containerPort: 8080, name: 'http' },
      { containerPort: 9090, name: 'metrics' },
      { containerPort: 5353, protocol: 'UDP' },
      { containerPort: 7000 },
    ];
    expect(discoverPorts(t, 8080).map((p) => [p.name, p.port])).toEqual([
      ['metrics', 9090],
      ['tcp-app-7000', 7000],
    ]);
    expect(discoverPorts(t, 'http').map((p) => p.port)).toEqual([9090, 7000]);
  });
});

describe('revision', () => {
  it('changes with the pod template and with tracked config content, not with key order', () => {
    const a = targetRevision(target().spec!.template, { 'configmap/settings': configChecksum({ a: '1' }) });
    const reordered = targetRevision(
      { spec: target().spec!.template.spec, metadata: { labels: { version: 'x', app: 'web' } } },
      { 'configmap/settings': configChecksum({ a: '1' }) },
    );
    expect(reordered).toBe(a);
    expect(
      targetRevision(target('web:2').spec!.template, { 'configmap/settings': configChecksum({ a: '1' }) }),
    ).not.toBe(a);
    expect(
      targetRevision(target().spec!.template, { 'configmap/settings': configChecksum({ a: '2' }) }),
    ).not.toBe(a);
  });
});

describe('deploymentReadiness', () => {
  const dep = (status: V1Deployment['status'], replicas = 4, generation = 2): V1Deployment => ({
    metadata: { name: 'web', generation },
    spec: { replicas, selector: {}, template: {} },
    status,
  });
  it.each([
    [
      'ready',
      dep({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4 }),
      100,
      true,
      /4 of 4/,
    ],
    [
      'not observed',
      dep({ observedGeneration: 1, replicas: 4, updatedReplicas: 4, availableReplicas: 4 }),
      100,
      false,
      /not observed/,
    ],
    [
      'updating',
      dep({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, availableReplicas: 4 }),
      100,
      false,
      /2 of 4 updated/,
    ],
    [
      'old pods left',
      dep({ observedGeneration: 2, replicas: 5, updatedReplicas: 4, availableReplicas: 4 }),
      100,
      false,
      /1 old replicas/,
    ],
    [
      'below threshold',
      dep({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 2 }),
      100,
      false,
      /2 of 4 replicas available/,
    ],
    [
      'at a 50% threshold',
      dep({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 2 }),
      50,
      true,
      /2 of 4/,
    ],
    ['scaled to zero', dep({ observedGeneration: 2 }, 0), 100, false, /scaled to zero/],
    ['missing', undefined, 100, false, /not found/],
  ] as const)('%s', (_name, d, threshold, ready, reason) => {
    const r = deploymentReadiness(d, threshold);
    expect(r.ready).toBe(ready);
    expect(r.reason).toMatch(reason);
  });

  it("reports the Deployment controller's ProgressDeadlineExceeded", () => {
    const d = dep({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: 0,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    expect(deploymentReadiness(d).deadlineExceeded).toBe(true);
  });
});

describe('GitOps metadata on the primary', () => {
  it('drops Flux and Argo CD inventory keys the target carries and marks the primary hands-off', () => {
    const t = target();
    t.metadata = {
      ...t.metadata,
      labels: { ...t.metadata?.labels, team: 'a', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
    };
    t.spec!.template.metadata = {
      ...t.spec!.template.metadata,
      annotations: { 'argocd.argoproj.io/tracking-id': 'x', keep: 'me' },
    };
    const p = buildPrimary(t, owner, 'rev1', { configMaps: [], secrets: [] }, 1);
    expect(p.metadata?.labels?.['team']).toBe('a');
    expect(p.metadata?.labels).not.toHaveProperty('kustomize.toolkit.fluxcd.io/name');
    expect(p.metadata?.annotations).toMatchObject(GITOPS_OPT_OUT);
    expect(p.spec?.template.metadata?.annotations).toEqual({ keep: 'me' });
  });

  it.each([
    ['kustomize.toolkit.fluxcd.io/name', true],
    ['helm.toolkit.fluxcd.io/namespace', true],
    ['argocd.argoproj.io/tracking-id', true],
    ['app.kubernetes.io/instance', false],
    ['team', false],
  ])('isInventoryKey(%s) is %s', (key, expected) => {
    expect(isInventoryKey(key)).toBe(expected);
  });
});

describe('promotedPrimaryMetadata', () => {
  it('drops inventory keys an older primary carries, adds the opt-outs and the revision, keeps the rest', () => {
    const meta = promotedPrimaryMetadata(
      {
        labels: { app: 'web-primary', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
        annotations: { note: 'kept', 'argocd.argoproj.io/tracking-id': 'x', [REVISION_ANNOTATION]: 'r1' },
      },
      'r2',
    );
    expect(meta).toEqual({
      labels: { app: 'web-primary' },
      annotations: { note: 'kept', ...GITOPS_OPT_OUT, [REVISION_ANNOTATION]: 'r2' },
    });
  });
});
