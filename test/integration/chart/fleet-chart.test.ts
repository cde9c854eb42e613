// The chart's fleet parts: the fleet controller of a hub (fleet.enabled) and the identity the hub
// uses on a member cluster (fleetMember.enabled). Rendered and inspected, then installed into the
// run's real API server, which is asked what each ServiceAccount may and may not do.
import { AuthorizationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../env/wait.ts';
import { installFledgeCrds } from '../crds.ts';
import { statusCode, testKubeConfig } from '../support.ts';
import {
  chart,
  describeCheck,
  envOf,
  find,
  helm,
  helmHome,
  kubeConfigAs,
  may,
  one,
  render,
  setUpHelm,
  type Check,
  type PodSpec,
} from './helm.ts';

const fleetRules = [
  { apiGroups: ['fledge.dev'], resources: ['fleetcanaries'], verbs: ['get', 'list'] },
  { apiGroups: ['fledge.dev'], resources: ['fleetcanaries/status'], verbs: ['patch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'update'] },
];
const memberRules = [
  { apiGroups: ['fledge.dev'], resources: ['canaries'], verbs: ['get', 'patch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets'], verbs: ['get'] },
];

beforeAll(setUpHelm, 25 * 60_000);
afterAll(async () => {
  if (helmHome) await rm(helmHome, { recursive: true, force: true });
});

describe('chart: fleet controller and fleet member, rendered', () => {
  it('renders no fleet part unless asked', async () => {
    const ms = await render();
    expect(
      ms.filter((m) => m.kind !== 'CustomResourceDefinition' && m.metadata.name.includes('fleet')),
    ).toEqual([]);
  });

  it('runs the fleet controller as its own Deployment, ServiceAccount and Lease, restricted', async () => {
    await helm(['lint', chart, '--strict', '--set', 'fleet.enabled=true,fleetMember.enabled=true']);
    const ms = await render('fleet.enabled=true', 'fleet.namespace=fleets', 'fleet.pollSeconds=2');
    const dep = one(ms, 'Deployment', 'fledge-fleet');
    const pod = (dep.spec as { template: { spec: PodSpec & { serviceAccountName: string } } }).template.spec;
    expect(pod.serviceAccountName).toBe('fledge-fleet');
    one(ms, 'ServiceAccount', 'fledge-fleet');
    const c = pod.containers[0]!;
    expect((c as { command?: string[] }).command).toEqual(['node', 'dist/operator/src/fleet/main.js']);
    const env = envOf(c);
    expect(env.get('FLEDGE_WATCH_NAMESPACE')?.value).toBe('fleets');
    expect(env.get('FLEDGE_LEASE_NAMESPACE')?.value).toBe('fledge-system');
    expect(env.get('FLEDGE_LEASE_NAME')?.value).toBe('fledge-fleet-leader');
    expect(env.get('FLEDGE_POLL_SECONDS')?.value).toBe('2');
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The operator's Deployment is unchanged next to it.
    one(ms, 'Deployment', 'fledge');
    const role = one(ms, 'Role', 'fledge-fleet');
    expect(role.metadata.namespace).toBe('fleets');
    expect(role.rules).toEqual(fleetRules);
    expect(one(ms, 'RoleBinding', 'fledge-fleet').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'fledge-fleet', namespace: 'fledge-system' },
    ]);
    expect(one(ms, 'Role', 'fledge-fleet-leader-election').rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['fledge-fleet-leader'],
        verbs: ['get', 'update'],
      },
    ]);
    // Nothing cluster-wide.
    expect(find(ms, 'ClusterRole').filter((m) => m.metadata.name.includes('fleet'))).toEqual([]);
  });

  it('keeps the operator’s and the fleet controller’s pods apart: no selector matches both', async () => {
    const ms = await render('fleet.enabled=true');
    const podLabels = (name: string) =>
      (one(ms, 'Deployment', name).spec as { template: { metadata: { labels: Record<string, string> } } })
        .template.metadata.labels;
    const matches = (sel: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(sel).every(([k, v]) => labels[k] === v);
    const selectors: [string, Record<string, string>][] = [
      [
        'Deployment/fledge',
        (one(ms, 'Deployment', 'fledge').spec as { selector: { matchLabels: Record<string, string> } })
          .selector.matchLabels,
      ],
      [
        'PodDisruptionBudget/fledge',
        (
          one(ms, 'PodDisruptionBudget', 'fledge').spec as {
            selector: { matchLabels: Record<string, string> };
          }
        ).selector.matchLabels,
      ],
      [
        'Service/fledge-metrics',
        (one(ms, 'Service', 'fledge-metrics').spec as { selector: Record<string, string> }).selector,
      ],
      [
        'Deployment/fledge-fleet',
        (one(ms, 'Deployment', 'fledge-fleet').spec as { selector: { matchLabels: Record<string, string> } })
          .selector.matchLabels,
      ],
      [
        'Service/fledge-fleet-metrics',
        (one(ms, 'Service', 'fledge-fleet-metrics').spec as { selector: Record<string, string> }).selector,
      ],
    ];
    const selected = selectors.map(([what, sel]) => [
      what,
      matches(sel, podLabels('fledge')),
      matches(sel, podLabels('fledge-fleet')),
    ]);
    expect(selected).toEqual([
      ['Deployment/fledge', true, false],
      ['PodDisruptionBudget/fledge', true, false],
      ['Service/fledge-metrics', true, false],
      ['Deployment/fledge-fleet', false, true],
      ['Service/fledge-fleet-metrics', false, true],
    ]);
    // Both metrics Services carry the labels the chart's ServiceMonitor selects.
    const monitor = await render('fleet.enabled=true', 'serviceMonitor.enabled=true');
    const wanted = (
      one(monitor, 'ServiceMonitor').spec as { selector: { matchLabels: Record<string, string> } }
    ).selector.matchLabels;
    for (const svc of ['fledge-metrics', 'fledge-fleet-metrics'])
      expect(matches(wanted, one(monitor, 'Service', svc).metadata.labels ?? {}), svc).toBe(true);
  });

  it('gives a member cluster’s hub identity only reads and the command annotation', async () => {
    const cluster = await render('fleetMember.enabled=true');
    expect(one(cluster, 'ClusterRole', 'fledge-fleet-member').rules).toEqual(memberRules);
    expect(one(cluster, 'Secret', 'fledge-fleet-member-token')).toMatchObject({
      type: 'kubernetes.io/service-account-token',
    });
    const scoped = await render('fleetMember.enabled=true', 'fleetMember.namespaces={shop,web}');
    expect(find(scoped, 'ClusterRole').filter((m) => m.metadata.name.includes('fleet'))).toEqual([]);
    expect(find(scoped, 'Role', 'fledge-fleet-member').map((r) => [r.metadata.namespace, r.rules])).toEqual([
      ['shop', memberRules],
      ['web', memberRules],
    ]);
  });

  it('refuses several fleet replicas without leader election', async () => {
    await expect(render('fleet.enabled=true', 'leaderElection.enabled=false', 'replicas=1')).rejects.toThrow(
      /fleet.replicas > 1 requires leaderElection.enabled/,
    );
  });
});

describe('chart: fleet parts installed into the real API server', () => {
  const kc = testKubeConfig();
  const kubeconfig = inject('kubeconfig');
  const id = randomBytes(3).toString('hex');
  const core = kc.makeApiClient(CoreV1Api);
  const ns = `chart-fleet-${id}`;
  const fleets = `chart-fleets-${id}`;
  const shop = `chart-shop-${id}`;
  const release = `fl-${id}`;
  let hub: AuthorizationV1Api;
  let member: AuthorizationV1Api;

  beforeAll(async () => {
    await installFledgeCrds(kc);
    const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    for (const name of [ns, fleets, shop]) {
      await core.createNamespace({ body: { metadata: { name, labels: restricted } } });
    }
    await helm(
      [
        'install',
        release,
        chart,
        '--namespace',
        ns,
        '--wait',
        '--timeout',
        '3m',
        '--set',
        `crds.install=false,rbac.aggregateToDefaultRoles=false,watchNamespace=${shop},fleet.enabled=true,fleet.namespace=${fleets},fleetMember.enabled=true,fleetMember.namespaces={${shop}}`,
      ],
      kubeconfig,
    );
    hub = (await kubeConfigAs(kc, ns, `${release}-fledge-fleet`)).makeApiClient(AuthorizationV1Api);
    // The member identity as the hub gets it: the long-lived token the chart's Secret holds.
    const token = await waitFor('the member token', async () => {
      const s = await core.readNamespacedSecret({
        name: `${release}-fledge-fleet-member-token`,
        namespace: ns,
      });
      return s.data?.['token'];
    });
    const as = new KubeConfig();
    const cluster = kc.getCurrentCluster()!;
    as.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'member', token: Buffer.from(token, 'base64').toString('utf8') }],
      contexts: [{ name: 'member', cluster: cluster.name, user: 'member' }],
      currentContext: 'member',
    });
    member = as.makeApiClient(AuthorizationV1Api);
  }, 5 * 60_000);

  afterAll(async () => {
    await helm(['uninstall', release, '--namespace', ns, '--wait'], kubeconfig).catch(() => undefined);
    await Promise.all(
      [ns, fleets, shop].map((name) =>
        core.deleteNamespace({ name }).catch((err: unknown) => {
          if (statusCode(err) !== 404) throw err;
        }),
      ),
    );
  }, 5 * 60_000);

  it('lets the fleet controller read its FleetCanaries and Secrets, and nothing elsewhere', async () => {
    const allowed: Check[] = [
      ['list', 'fleetcanaries.fledge.dev', fleets],
      ['patch', 'fleetcanaries.fledge.dev/status', fleets],
      ['list', 'secrets', fleets],
      ['create', 'events', fleets],
      ['update', 'leases.coordination.k8s.io', ns, { name: 'fledge-fleet-leader' }],
    ];
    const refused: Check[] = [
      ['patch', 'fleetcanaries.fledge.dev', fleets],
      ['watch', 'secrets', fleets],
      ['update', 'fleetcanaries.fledge.dev/status', fleets],
      ['list', 'secrets', shop],
      ['list', 'secrets', ''],
      ['get', 'canaries.fledge.dev', shop],
      ['update', 'leases.coordination.k8s.io', ns, { name: 'fledge-leader' }],
    ];
    for (const c of allowed) expect(await may(hub, c), describeCheck(c)).toBe(true);
    for (const c of refused) expect(await may(hub, c), describeCheck(c)).toBe(false);
  });

  it('lets the member token read the Canary and its target and patch the Canary, nothing more', async () => {
    const allowed: Check[] = [
      ['get', 'canaries.fledge.dev', shop],
      ['patch', 'canaries.fledge.dev', shop],
      ['get', 'deployments.apps', shop],
    ];
    const refused: Check[] = [
      ['patch', 'canaries.fledge.dev/status', shop],
      ['delete', 'canaries.fledge.dev', shop],
      ['update', 'deployments.apps', shop],
      ['list', 'secrets', shop],
      ['get', 'canaries.fledge.dev', fleets],
    ];
    for (const c of allowed) expect(await may(member, c), describeCheck(c)).toBe(true);
    for (const c of refused) expect(await may(member, c), describeCheck(c)).toBe(false);
  });
});
