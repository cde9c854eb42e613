// One member cluster as the hub sees it: a kubeconfig from its cluster Secret, the Canary the
// fleet runs and its target read with it, and the one write the hub ever makes there (the
// fledge.dev/command annotation that opens or aborts a release's gate).
import type { V1PodTemplateSpec, V1Secret } from '@kubernetes/client-node';
import { COMMAND_ANNOTATION, GROUP, VERSION, type CanaryStatus } from '../api/index.ts';
import { BoundedKubeConfig, refuseProxy } from '../kube/client.ts';
import { apiMessage, httpStatus } from '../kube/errors.ts';
import { KubeRest, MERGE_PATCH, resourcePath } from '../kube/rest.ts';
import { targetRevision } from '../workloads/revision.ts';
import { releasedTemplate } from '../workloads/workload.ts';
import { clusterAccess } from './cluster-secret.ts';
import { releaseIdentity } from './identity.ts';
import type { MemberRead } from './member-read.ts';

/** Optional annotation on a cluster Secret: the Canary's namespace in that cluster, when it differs. */
export const CANARY_NAMESPACE_ANNOTATION = `${GROUP}/canary-namespace`;

interface MemberCanary {
  metadata?: { annotations?: Record<string, string> };
  spec?: {
    targetRef?: { kind?: string; name?: string };
    analysis?: { webhooks?: { type?: string; url?: string }[] };
  };
  status?: CanaryStatus;
}

interface Workload {
  spec?: { template?: V1PodTemplateSpec };
}

export class MemberClient {
  readonly name: string;
  private readonly rest: KubeRest;
  private readonly namespace: string;

  private constructor(name: string, kc: BoundedKubeConfig, namespace: string) {
    this.name = name;
    this.rest = new KubeRest(kc);
    this.namespace = namespace;
  }

  /** A client for the cluster of a Secret, or why the Secret does not describe one. */
  static fromSecret(
    secret: V1Secret,
    canaryNamespace: string,
    timeoutMs: number,
  ): MemberClient | { error: string } {
    const name = secret.metadata?.name ?? '';
    const access = clusterAccess(secret);
    if ('error' in access) return access;
    const kc = new BoundedKubeConfig(timeoutMs);
    try {
      if ('kubeconfig' in access) kc.loadFromString(access.kubeconfig);
      else {
        const { user, ...cluster } = access.options;
        kc.loadFromOptions({
          clusters: [{ name, ...cluster }],
          users: [{ name, ...user }],
          contexts: [{ name, cluster: name, user: name }],
          currentContext: name,
        });
      }
      if (!kc.getCurrentCluster()) throw new Error('it names no current cluster');
      refuseProxy(kc);
    } catch (err) {
      return { error: `Secret ${name}: the kubeconfig cannot be used: ${(err as Error).message}` };
    }
    const ns = secret.metadata?.annotations?.[CANARY_NAMESPACE_ANNOTATION] ?? canaryNamespace;
    return new MemberClient(name, kc, ns);
  }

  private canaryPath(name: string): string {
    return resourcePath({
      group: GROUP,
      version: VERSION,
      plural: 'canaries',
      namespace: this.namespace,
      name,
    });
  }

  /** The Canary and the template its status names, or what stops the hub from knowing. */
  async read(canaryName: string, annotation: string | undefined): Promise<MemberRead> {
    let canary: MemberCanary;
    try {
      canary = await this.rest.get<MemberCanary>(this.canaryPath(canaryName));
    } catch (err) {
      return failedRead(err, `Canary ${this.namespace}/${canaryName}`);
    }
    const status = canary.status ?? {};
    const stalled = status.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
    if (stalled?.reason === 'InvalidSpec') {
      return { kind: 'invalid', message: `Canary ${this.namespace}/${canaryName}: ${stalled.message}` };
    }
    const ref = canary.spec?.targetRef;
    const plural = ref?.kind === 'DaemonSet' ? 'daemonsets' : 'deployments';
    let template: V1PodTemplateSpec | undefined;
    try {
      const target = await this.rest.get<Workload>(
        resourcePath({
          group: 'apps',
          version: 'v1',
          plural,
          namespace: this.namespace,
          name: ref?.name ?? '',
        }),
      );
      template = releasedTemplate(target.spec?.template);
    } catch (err) {
      if (httpStatus(err) !== 404)
        return failedRead(err, `${ref?.kind ?? 'target'} ${this.namespace}/${ref?.name}`);
    }
    // The target is read after the Canary: its template names the Canary's release only when its
    // revision (with the configs the Canary tracked in the same pass) is the one status names.
    const identityNow = releaseIdentity(template, annotation);
    const consistent =
      template !== undefined &&
      status.lastAppliedSpec !== undefined &&
      targetRevision(template, status.trackedConfigs ?? {}) === status.lastAppliedSpec;
    const fail = (status.checks ?? [])
      .filter((c) => c.verdict === 'Fail')
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
    return {
      kind: 'canary',
      phase: status.phase,
      weight: status.canaryWeight,
      revision: status.lastAppliedSpec,
      promotedRevision: status.lastPromotedSpec,
      identity: consistent ? identityNow : undefined,
      targetIdentity: identityNow,
      gated: (canary.spec?.analysis?.webhooks ?? []).some(
        (w) => (w.type ?? 'rollout') === 'confirm-rollout' && w.url === undefined,
      ),
      failedCheck: fail
        ? { name: fail.name, ...(fail.message ? { message: fail.message } : {}), time: fail.time }
        : undefined,
      command: canary.metadata?.annotations?.[COMMAND_ANNOTATION],
      lastCommand: status.lastCommand,
      message: status.message,
    };
  }

  /** Writes the command annotation (a merge patch: nothing else on the Canary is touched). */
  async send(canaryName: string, text: string): Promise<void> {
    await this.rest.patch(
      this.canaryPath(canaryName),
      { metadata: { annotations: { [COMMAND_ANNOTATION]: text } } },
      MERGE_PATCH,
    );
  }
}

function failedRead(err: unknown, what: string): MemberRead {
  const code = httpStatus(err);
  if (code === 404) return { kind: 'missing', message: `${what} not found` };
  if (code === 401 || code === 403) {
    return { kind: 'unreachable', message: `cannot authenticate (HTTP ${code}): ${apiMessage(err)}` };
  }
  return { kind: 'unreachable', message: apiMessage(err) };
}
