// The Helm chart (charts/fledge): lint, render and inspect it, then install it into the run's real
// API server and ask that API server what the operator's ServiceAccount may and may not do.
import { ApiextensionsV1Api, AppsV1Api, AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createFleetMetrics } from '../../../operator/src/fleet/metrics.ts';
import { createMetrics } from '../../../operator/src/runtime/metrics.ts';
import { startCluster } from '../../env/cluster.ts';
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
  podSpec,
  render,
  repo,
  run,
  setUpHelm,
  type Check,
  type Manifest,
  type PodSpec,
  type Rule,
} from './helm.ts';

/** The operator's rules, as docs/install.md explains them; a change here is a change of policy. */
const operatorRules: Rule[] = [
  {
    apiGroups: ['fledge.dev'],
    resources: ['canaries', 'metrictemplates', 'alertproviders'],
    verbs: ['get', 'list', 'watch'],
  },
  { apiGroups: ['fledge.dev'], resources: ['canaries'], verbs: ['update', 'patch'] },
  { apiGroups: ['fledge.dev'], resources: ['canaries/status'], verbs: ['update', 'patch'] },
  { apiGroups: ['fledge.dev'], resources: ['canaries/finalizers'], verbs: ['update'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'daemonsets'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
  {
    apiGroups: [''],
    resources: ['configmaps', 'secrets'],
    verbs: ['get', 'list', 'watch', 'create', 'update'],
  },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers'],
    verbs: ['get', 'list', 'watch', 'create', 'update'],
  },
  {
    apiGroups: ['keda.sh'],
    resources: ['scaledobjects'],
    verbs: ['get', 'list', 'watch', 'create', 'update'],
  },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'update'] },
  {
    apiGroups: ['gateway.networking.k8s.io'],
    resources: ['httproutes'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  {
    apiGroups: ['networking.istio.io'],
    resources: ['virtualservices', 'destinationrules'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  {
    apiGroups: ['projectcontour.io'],
    resources: ['httpproxies'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  {
    apiGroups: ['traefik.io'],
    resources: ['traefikservices'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['ingresses'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
];

beforeAll(setUpHelm, 25 * 60_000);
afterAll(async () => {
  if (helmHome) await rm(helmHome, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// lint and render

describe('chart rendering', () => {
  it('passes helm lint, also with --strict and with every optional part switched on', async () => {
    await helm(['lint', chart]);
    await helm(['lint', chart, '--strict']);
    await helm([
      'lint',
      chart,
      '--strict',
      '--set',
      'watchNamespace=apps,serviceMonitor.enabled=true,metricsServer=http://prometheus:9090,prometheusRule.enabled=true,grafanaDashboard.enabled=true',
    ]);
  });

  it('renders the operator and nothing cluster-wide beyond its RBAC and CRDs', async () => {
    const ms = await render();
    const kinds = ms.map((m) => `${m.kind}/${m.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ClusterRole/fledge',
        'ClusterRole/fledge-edit',
        'ClusterRole/fledge-view',
        'ClusterRoleBinding/fledge',
        'CustomResourceDefinition/alertproviders.fledge.dev',
        'CustomResourceDefinition/canaries.fledge.dev',
        'CustomResourceDefinition/fleetcanaries.fledge.dev',
        'CustomResourceDefinition/metrictemplates.fledge.dev',
        'Deployment/fledge',
        'PodDisruptionBudget/fledge',
        'Role/fledge-leader-election',
        'RoleBinding/fledge-leader-election',
        'Service/fledge-metrics',
        'ServiceAccount/fledge',
      ].sort(),
    );
    for (const m of ms) {
      const clusterScoped = ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition'].includes(
        m.kind,
      );
      expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe(
        clusterScoped ? undefined : 'fledge-system',
      );
    }
  });

  it('grants RBAC without wildcards and without escalation verbs', async () => {
    for (const set of [[], ['watchNamespace=apps']]) {
      const ms = await render(...set);
      const roles = [...find(ms, 'ClusterRole'), ...find(ms, 'Role')];
      expect(roles.length).toBeGreaterThanOrEqual(3);
      for (const role of roles) {
        for (const rule of role.rules ?? []) {
          const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
          for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames ?? []]) {
            expect(
              field?.some((v) => v.includes('*')),
              where,
            ).toBe(false);
          }
          expect(rule.nonResourceURLs, where).toBeUndefined();
          expect(rule.apiGroups, where).toBeDefined();
          expect(rule.resources?.length, where).toBeGreaterThan(0);
          for (const verb of ['escalate', 'bind', 'impersonate'])
            expect(rule.verbs, where).not.toContain(verb);
        }
      }
    }
  });

  it('gives the operator exactly the intended rules, cluster-wide by default', async () => {
    const ms = await render();
    expect(one(ms, 'ClusterRole', 'fledge').rules).toEqual(operatorRules);
    const binding = one(ms, 'ClusterRoleBinding', 'fledge');
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'fledge' });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'fledge', namespace: 'fledge-system' },
    ]);
    // Leader election: a Role in the release namespace; get/update only on the one Lease.
    expect(one(ms, 'Role', 'fledge-leader-election').rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['fledge-leader'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  it('switches the operator to a Role and RoleBinding in watchNamespace', async () => {
    const ms = await render('watchNamespace=apps');
    expect(find(ms, 'ClusterRoleBinding')).toEqual([]);
    expect(find(ms, 'ClusterRole', 'fledge')).toEqual([]);
    const role = one(ms, 'Role', 'fledge');
    expect(role.metadata.namespace).toBe('apps');
    expect(role.rules).toEqual(operatorRules);
    const binding = one(ms, 'RoleBinding', 'fledge');
    expect(binding.metadata.namespace).toBe('apps');
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: 'fledge' });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'fledge', namespace: 'fledge-system' },
    ]);
    // The Lease stays in the release namespace.
    expect(one(ms, 'Role', 'fledge-leader-election').metadata.namespace).toBe('fledge-system');
    const env = envOf(podSpec(ms).containers[0]!);
    expect(env.get('FLEDGE_WATCH_NAMESPACE')?.value).toBe('apps');
    // The aggregated ClusterRoles are for people and bound to no one by the chart.
    for (const r of find(ms, 'ClusterRole'))
      expect(r.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
  });

  it('runs the pod under the restricted Pod Security Standard', async () => {
    const spec = podSpec(await render());
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
    expect(spec.containers).toHaveLength(1);
    const sc = spec.containers[0]!.securityContext;
    expect(sc).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      capabilities: { drop: ['ALL'] },
    });
    expect(sc?.['privileged'] ?? false).toBe(false);
    expect((sc?.['capabilities'] as { add?: string[] }).add).toBeUndefined();
  });

  it('configures the operator through FLEDGE_* variables and probes its health endpoints', async () => {
    const ms = await render(
      'metricsServer=http://prometheus.monitoring:9090',
      'logLevel=debug',
      'noCrossNamespaceRefs=true',
      'meshProvider=gatewayapi',
      'gatewayApiMetrics=contour',
    );
    const c = podSpec(ms).containers[0]!;
    const env = envOf(c);
    expect(Object.fromEntries([...env].map(([k, v]) => [k, v.value ?? v.valueFrom]))).toEqual({
      NODE_OPTIONS: '--max-semi-space-size=2',
      FLEDGE_WATCH_NAMESPACE: '',
      FLEDGE_METRICS_ADDRESS: '0.0.0.0:8080',
      FLEDGE_LOG_LEVEL: 'debug',
      FLEDGE_LOG_FORMAT: 'json',
      FLEDGE_CONCURRENCY: '32',
      FLEDGE_LEADER_ELECT: 'true',
      FLEDGE_LEASE_NAMESPACE: 'fledge-system',
      FLEDGE_LEASE_NAME: 'fledge-leader',
      FLEDGE_KUBE_API_QPS: '100',
      FLEDGE_KUBE_API_BURST: '250',
      FLEDGE_NO_CROSS_NAMESPACE_REFS: 'true',
      FLEDGE_MESH_PROVIDER: 'gatewayapi',
      FLEDGE_METRICS_SERVER: 'http://prometheus.monitoring:9090',
      FLEDGE_GATEWAY_API_METRICS: 'contour',
      FLEDGE_IDENTITY: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(c.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8080 })]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect((one(ms, 'Deployment').spec as { replicas: number }).replicas).toBe(2);
  });

  it('renders one Deployment per shard, each with its selector, pods and Lease', async () => {
    const ms = await render(
      'shards[0].name=a',
      'shards[0].selector=fledge.dev/shard in (a\\,b)',
      'shards[1].name=rest',
      'shards[1].selector=!fledge.dev/shard',
    );
    const deployments = find(ms, 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['fledge-a', 'fledge-rest']);
    const shardOf = (d: Manifest) => {
      const spec = d.spec as {
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
      };
      const env = envOf(spec.template.spec.containers[0]!);
      return {
        selects: spec.selector.matchLabels['fledge.dev/operator-shard'],
        pods: spec.template.metadata.labels['fledge.dev/operator-shard'],
        selector: env.get('FLEDGE_SHARD_SELECTOR')?.value,
        lease: env.get('FLEDGE_LEASE_NAME')?.value,
      };
    };
    // Disjoint pod selectors: neither Deployment adopts the other's pods.
    expect(deployments.map(shardOf)).toEqual([
      { selects: 'a', pods: 'a', selector: 'fledge.dev/shard in (a,b)', lease: 'fledge-leader-a' },
      { selects: 'rest', pods: 'rest', selector: '!fledge.dev/shard', lease: 'fledge-leader-rest' },
    ]);
    const leaseRule = one(ms, 'Role', 'fledge-leader-election').rules?.find((r) => r.resourceNames);
    expect(leaseRule?.resourceNames).toEqual(['fledge-leader-a', 'fledge-leader-rest']);
    await expect(
      render('shards[0].name=a', 'shards[0].selector=x', 'shards[1].name=a', 'shards[1].selector=y'),
    ).rejects.toThrow(/shards: the name "a" is used twice/);
    await expect(render('shards[0].name=a')).rejects.toThrow(/selector/);
  });

  it('sets no NODE_OPTIONS when nodeOptions is empty', async () => {
    const env = envOf(podSpec(await render('nodeOptions=')).containers[0]!);
    expect(env.has('NODE_OPTIONS')).toBe(false);
  });

  it('renders the optional ServiceMonitor and drops the PDB and lease RBAC when asked', async () => {
    const ms = await render(
      'serviceMonitor.enabled=true',
      'podDisruptionBudget.enabled=false',
      'replicas=1',
      'leaderElection.enabled=false',
    );
    expect(one(ms, 'ServiceMonitor').spec).toMatchObject({
      endpoints: [expect.objectContaining({ port: 'http-metrics', path: '/metrics' })],
    });
    expect(find(ms, 'PodDisruptionBudget')).toEqual([]);
    expect(find(ms, 'Role')).toEqual([]);
    expect(envOf(podSpec(ms).containers[0]!).get('FLEDGE_LEADER_ELECT')?.value).toBe('false');
  });

  it('renders the PrometheusRule and the Grafana dashboard from the files it ships, only when asked', async () => {
    expect(find(await render(), 'PrometheusRule')).toEqual([]);
    expect(find(await render(), 'ConfigMap')).toEqual([]);
    const ms = await render(
      'prometheusRule.enabled=true',
      'prometheusRule.labels.release=kube-prometheus',
      'grafanaDashboard.enabled=true',
    );
    const rule = one(ms, 'PrometheusRule');
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
    const file = parseAllDocuments(
      await readFile(join(chart, 'files/prometheus/rules.yaml'), 'utf8'),
    )[0]!.toJS() as {
      groups: unknown[];
    };
    expect(rule.spec).toEqual({ groups: file.groups });
    const dashboard = one(ms, 'ConfigMap', 'fledge-dashboard') as Manifest & { data: Record<string, string> };
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(JSON.parse(dashboard.data['fledge.json'] ?? '')).toEqual(
      JSON.parse(await readFile(join(chart, 'files/grafana/fledge.json'), 'utf8')),
    );
  });

  it('alerts and dashboard name only metrics the operator exports', async () => {
    const exported = new Set<string>();
    const registries = [createMetrics().registry, createFleetMetrics().registry];
    for (const m of (await Promise.all(registries.map((r) => r.getMetricsAsJSON()))).flat()) {
      exported.add(m.name);
      if (String(m.type) === 'histogram')
        for (const x of ['_bucket', '_count', '_sum']) exported.add(m.name + x);
    }
    const used = (text: string) => new Set(text.match(/\bfledge_[a-z_]+/g) ?? []);
    const rules = await readFile(join(chart, 'files/prometheus/rules.yaml'), 'utf8');
    const dashboard = JSON.parse(await readFile(join(chart, 'files/grafana/fledge.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
      templating: { list: { query?: { query?: string } }[] };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.map((v) => v.query?.query ?? ''),
    ].join('\n');
    // Labels the ServiceMonitor adds to every series (podTargetLabels, in Prometheus' spelling).
    const monitor = one(await render('serviceMonitor.enabled=true'), 'ServiceMonitor');
    const targetLabels = ((monitor.spec as { podTargetLabels?: string[] }).podTargetLabels ?? []).map((l) =>
      l.replace(/[^a-zA-Z0-9_]/g, '_'),
    );
    expect(targetLabels).toEqual(['fledge_dev_operator_shard']);
    const names = [...used(rules), ...used(exprs)].filter((n) => !targetLabels.includes(n));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('ships alert rules that promtool accepts and whose tests pass', async () => {
    // The rules as the chart renders them, checked by Prometheus' own tool, and the rule tests
    // (each alert fires on the series that mean it, and not otherwise) beside the rule file.
    const dir = await mkdtemp(join(tmpdir(), 'fledge-rules-'));
    try {
      const rule = one(await render('prometheusRule.enabled=true'), 'PrometheusRule');
      const rendered = join(dir, 'rules.yaml');
      await writeFile(rendered, JSON.stringify(rule.spec));
      await run('promtool', ['check', 'rules', rendered]);
      const { stdout } = await run('promtool', ['test', 'rules', 'rules.test.yaml'], {
        cwd: join(chart, 'files/prometheus'),
      });
      expect(stdout).toContain('SUCCESS');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses settings that cannot work', async () => {
    await expect(render('replicas=2', 'leaderElection.enabled=false')).rejects.toThrow(
      /replicas > 1 requires leaderElection.enabled/,
    );
    await expect(render('replica=3')).rejects.toThrow(/additional properties 'replica' not allowed/);
    await expect(render('logLevel=loud')).rejects.toThrow(/logLevel/);
  });

  it('ships the generated CRDs unchanged, and leaves them out with crds.install=false', async () => {
    const generated = (await readdir(join(repo, 'crds'))).filter((f) => f.endsWith('.yaml')).sort();
    const shipped = join(chart, 'charts', 'crds', 'files');
    expect((await readdir(shipped)).sort(), 'run charts/fledge/sync-crds.sh').toEqual(generated);
    for (const f of generated) {
      const [a, b] = await Promise.all([
        readFile(join(repo, 'crds', f), 'utf8'),
        readFile(join(shipped, f), 'utf8'),
      ]);
      expect(b === a, `charts/fledge/charts/crds/files/${f} differs: run charts/fledge/sync-crds.sh`).toBe(
        true,
      );
    }
    const crds = async (...extra: string[]) =>
      parseAllDocuments(await helm(['template', 'fledge', chart, ...extra]))
        .map((d) => d.toJS() as (Manifest & { metadata: { annotations?: Record<string, string> } }) | null)
        .filter((m) => m?.kind === 'CustomResourceDefinition')
        .map((m) => m!);
    const crdNames = async (...extra: string[]) => (await crds(...extra)).map((m) => m.metadata.name).sort();
    // Templates, with what keeps them: Helm on uninstall, Argo CD from pruning.
    for (const crd of await crds()) {
      expect(crd.metadata.annotations).toMatchObject({
        'helm.sh/resource-policy': 'keep',
        'argocd.argoproj.io/sync-options': 'Prune=false,ServerSideApply=true',
      });
      const generated = parseAllDocuments(
        await readFile(join(repo, 'crds', `${crd.metadata.name}.yaml`), 'utf8'),
      )[0]!.toJS() as { spec: unknown };
      expect(crd.spec).toEqual(generated.spec);
    }
    expect((await crds('--set', 'crds.keep=false'))[0]?.metadata.annotations).not.toHaveProperty(
      'helm.sh/resource-policy',
    );
    expect(await crdNames()).toEqual([
      'alertproviders.fledge.dev',
      'canaries.fledge.dev',
      'fleetcanaries.fledge.dev',
      'metrictemplates.fledge.dev',
    ]);
    expect(await crdNames('--set', 'crds.install=false')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// install into the real API server

describe('chart installed into the real API server', () => {
  const kc = testKubeConfig();
  const kubeconfig = inject('kubeconfig');
  const id = randomBytes(3).toString('hex');
  const core = kc.makeApiClient(CoreV1Api);
  // Cluster mode: release A in nsA. Namespaced mode: release B in nsB, watching apps only.
  const nsA = `chart-a-${id}`;
  const nsB = `chart-b-${id}`;
  const apps = `chart-apps-${id}`;
  const other = `chart-other-${id}`;
  const releaseA = `fledge-a-${id}`;
  const releaseB = `fledge-b-${id}`;
  const installed: [string, string][] = [];
  let authzA: AuthorizationV1Api;
  let authzB: AuthorizationV1Api;

  beforeAll(async () => {
    // The release namespaces enforce the restricted Pod Security Standard: a pod spec that breaks
    // it is refused by admission and the Deployment never becomes available.
    const restricted = {
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
    };
    await Promise.all([
      core.createNamespace({ body: { metadata: { name: nsA, labels: restricted } } }),
      core.createNamespace({ body: { metadata: { name: nsB, labels: restricted } } }),
      core.createNamespace({ body: { metadata: { name: apps } } }),
      core.createNamespace({ body: { metadata: { name: other } } }),
    ]);
    const install = async (release: string, namespace: string, ...set: string[]) => {
      // --take-ownership: other test files apply the CRDs to this shared cluster with kubectl.
      const args = ['install', release, chart, '--namespace', namespace, '--wait', '--timeout', '3m'];
      if (!set.includes('crds.install=false')) args.push('--take-ownership');
      for (const s of set) args.push('--set', s);
      installed.push([release, namespace]);
      await helm(args, kubeconfig);
    };
    // B installs no CRDs: with A installing them at the same time, one of the two would lose the race.
    await Promise.all([
      install(releaseA, nsA),
      install(
        releaseB,
        nsB,
        `watchNamespace=${apps}`,
        'crds.install=false',
        'rbac.aggregateToDefaultRoles=false',
      ),
    ]);
    [authzA, authzB] = await Promise.all([
      kubeConfigAs(kc, nsA, releaseA).then((k) => k.makeApiClient(AuthorizationV1Api)),
      kubeConfigAs(kc, nsB, releaseB).then((k) => k.makeApiClient(AuthorizationV1Api)),
    ]);
  }, 5 * 60_000);

  afterAll(async () => {
    await Promise.all(
      installed.map(([r, n]) => helm(['uninstall', r, '--namespace', n, '--wait'], kubeconfig)),
    );
    await Promise.all(
      [nsA, nsB, apps, other].map((name) =>
        core.deleteNamespace({ name }).catch((err: unknown) => {
          if (statusCode(err) !== 404) throw err;
        }),
      ),
    );
  }, 5 * 60_000);

  it('installs the CRDs and a Deployment whose pods pass restricted admission and become ready', async () => {
    const appsApi = kc.makeApiClient(AppsV1Api);
    for (const [release, namespace] of [
      [releaseA, nsA],
      [releaseB, nsB],
    ] as const) {
      const dep = await appsApi.readNamespacedDeployment({ name: release, namespace });
      expect(dep.status?.readyReplicas).toBe(2);
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: `app.kubernetes.io/instance=${release}`,
      });
      expect(pods.items.map((p) => p.spec?.serviceAccountName)).toEqual([release, release]);
    }
    // Helm installs a chart's crds/ first and waits until they are established.
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    const crds = (await ext.listCustomResourceDefinition()).items
      .map((c) => c.metadata?.name ?? '')
      .filter((n) => n.endsWith('.fledge.dev'))
      .sort();
    expect(crds).toEqual([
      'alertproviders.fledge.dev',
      'canaries.fledge.dev',
      'fleetcanaries.fledge.dev',
      'metrictemplates.fledge.dev',
    ]);
  });

  describe('cluster mode (watchNamespace empty)', () => {
    const allowed: Check[] = [
      ['list', 'canaries.fledge.dev', ''],
      ['watch', 'canaries.fledge.dev', ''],
      ['get', 'metrictemplates.fledge.dev', other],
      ['list', 'alertproviders.fledge.dev', ''],
      ['patch', 'canaries.fledge.dev', other],
      ['update', 'canaries.fledge.dev/status', other],
      ['patch', 'canaries.fledge.dev/status', other],
      ['update', 'canaries.fledge.dev/finalizers', other],
      ['watch', 'deployments.apps', ''],
      ['create', 'deployments.apps', other],
      ['patch', 'deployments.apps', other],
      ['update', 'deployments.apps', other],
      ['watch', 'daemonsets.apps', ''],
      ['create', 'daemonsets.apps', other],
      ['patch', 'daemonsets.apps', other],
      ['create', 'services', other],
      ['patch', 'services', other],
      ['list', 'secrets', ''],
      ['create', 'secrets', other],
      ['update', 'configmaps', other],
      ['create', 'events', other],
      ['update', 'events', other],
      ['create', 'httproutes.gateway.networking.k8s.io', other],
      ['update', 'virtualservices.networking.istio.io', other],
      ['create', 'destinationrules.networking.istio.io', other],
      ['update', 'httpproxies.projectcontour.io', other],
      ['patch', 'traefikservices.traefik.io', other],
      ['update', 'ingresses.networking.k8s.io', other],
      ['delete', 'ingresses.networking.k8s.io', other],
      ['create', 'leases.coordination.k8s.io', nsA],
      ['update', 'leases.coordination.k8s.io', nsA, { name: 'fledge-leader' }],
    ];
    const denied: Check[] = [
      ['delete', 'deployments.apps', other],
      ['delete', 'daemonsets.apps', other],
      ['delete', 'services', other],
      ['delete', 'secrets', other],
      ['delete', 'configmaps', other],
      ['delete', 'httproutes.gateway.networking.k8s.io', other],
      ['delete', 'virtualservices.networking.istio.io', other],
      ['create', 'canaries.fledge.dev', other],
      ['delete', 'canaries.fledge.dev', other],
      ['update', 'metrictemplates.fledge.dev', other],
      ['patch', 'deployments.apps/scale', other],
      ['list', 'pods', ''],
      ['create', 'pods', other],
      ['get', 'nodes', ''],
      ['list', 'namespaces', ''],
      ['create', 'serviceaccounts/token', other],
      ['create', 'customresourcedefinitions.apiextensions.k8s.io', ''],
      ['update', 'clusterroles.rbac.authorization.k8s.io', ''],
      ['bind', 'clusterroles.rbac.authorization.k8s.io', ''],
      ['impersonate', 'serviceaccounts', other],
      ['create', 'leases.coordination.k8s.io', other],
      ['update', 'leases.coordination.k8s.io', nsA, { name: 'someone-elses-lease' }],
      ['delete', 'leases.coordination.k8s.io', nsA, { name: 'fledge-leader' }],
    ];
    it.each(allowed.map((c) => [describeCheck(c), c] as const))('may %s', async (_, check) => {
      expect(await may(authzA, check)).toBe(true);
    });
    it.each(denied.map((c) => [describeCheck(c), c] as const))('may not %s', async (_, check) => {
      expect(await may(authzA, check)).toBe(false);
    });
  });

  describe('namespaced mode (watchNamespace set)', () => {
    const allowed: Check[] = [
      ['list', 'canaries.fledge.dev', apps],
      ['watch', 'canaries.fledge.dev', apps],
      ['patch', 'canaries.fledge.dev/status', apps],
      ['create', 'deployments.apps', apps],
      ['list', 'secrets', apps],
      ['create', 'configmaps', apps],
      ['create', 'events', apps],
      ['create', 'leases.coordination.k8s.io', nsB],
      ['get', 'leases.coordination.k8s.io', nsB, { name: 'fledge-leader' }],
    ];
    const denied: Check[] = [
      ['list', 'canaries.fledge.dev', ''],
      ['list', 'canaries.fledge.dev', other],
      ['get', 'secrets', 'kube-system'],
      ['list', 'secrets', ''],
      ['list', 'secrets', other],
      ['list', 'deployments.apps', 'kube-system'],
      ['patch', 'deployments.apps', other],
      ['delete', 'deployments.apps', apps],
      ['create', 'leases.coordination.k8s.io', apps],
    ];
    it.each(allowed.map((c) => [describeCheck(c), c] as const))('may %s', async (_, check) => {
      expect(await may(authzB, check)).toBe(true);
    });
    it.each(denied.map((c) => [describeCheck(c), c] as const))('may not %s', async (_, check) => {
      expect(await may(authzB, check)).toBe(false);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// CRD upgrades, on a private control plane (the shared one's CRDs belong to every test file)

describe('helm upgrade and the CRDs', () => {
  it(
    'adopts CRDs the previous chart left, applies a changed CRD on upgrade, keeps them on uninstall',
    async () => {
      const cluster = await startCluster({ nodes: 1 });
      const work = await mkdtemp(join(tmpdir(), 'fledge-chart-'));
      try {
        const ext = cluster.kubeConfig().makeApiClient(ApiextensionsV1Api);
        const columns = async () =>
          (
            await ext.readCustomResourceDefinition({ name: 'canaries.fledge.dev' })
          ).spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name);
        // Chart 0.1.0 kept the CRDs in the subchart's crds/ directory: Helm installed them once and
        // does not own them. That layout, rebuilt from this chart, is installed first.
        const previous = join(work, 'previous');
        await run('cp', ['-r', chart, previous]);
        await run('mv', [join(previous, 'charts/crds/files'), join(previous, 'charts/crds/crds')]);
        await rm(join(previous, 'charts/crds/templates'), { recursive: true });
        const ns = ['-n', 'fledge-system'];
        await helm(['install', 'fledge', previous, ...ns, '--create-namespace'], cluster.kubeconfig);
        const next = join(work, 'fledge');
        await run('cp', ['-r', chart, next]);
        const upgrade = ['upgrade', 'fledge', next, ...ns];
        await expect(helm(upgrade, cluster.kubeconfig)).rejects.toThrow(
          /invalid ownership metadata|cannot be imported/,
        );
        await helm([...upgrade, '--take-ownership'], cluster.kubeconfig);
        const before = await columns();
        expect(before).toContain('Paused');

        // The next chart version changes a CRD: helm upgrade applies it.
        const file = join(next, 'charts', 'crds', 'files', 'canaries.fledge.dev.yaml');
        const crd = await readFile(file, 'utf8');
        await writeFile(
          file,
          crd.replace(
            '      additionalPrinterColumns:\n',
            '      additionalPrinterColumns:\n        - name: Provider\n          type: string\n          jsonPath: .spec.provider\n',
          ),
        );
        await helm(upgrade, cluster.kubeconfig);
        expect(await columns()).toEqual(['Provider', ...before]);

        await helm(['uninstall', 'fledge', '-n', 'fledge-system', '--wait'], cluster.kubeconfig);
        const left = (await ext.listCustomResourceDefinition()).items.map((c) => c.metadata?.name).sort();
        expect(left).toEqual([
          'alertproviders.fledge.dev',
          'canaries.fledge.dev',
          'fleetcanaries.fledge.dev',
          'metrictemplates.fledge.dev',
        ]);
      } finally {
        await cluster.stop();
        await rm(work, { recursive: true, force: true });
      }
    },
    5 * 60_000,
  );
});
