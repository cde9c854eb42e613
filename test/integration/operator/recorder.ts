import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { CanaryStatus } from '../../../operator/src/api/index.ts';
import { GROUP, VERSION } from '../../../operator/src/controller.ts';

/**
 * Records every status a Canary passes through, from a watch, so a test can assert the exact
 * sequence of steps (no step skipped, none repeated) rather than sample it.
 */
export async function recordStatuses(kc: KubeConfig, namespace: string, name: string) {
  const seen: CanaryStatus[] = [];
  const watch = new Watch(kc);
  const req = await watch.watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/canaries`,
    { fieldSelector: `metadata.name=${name}` },
    (_type: string, obj: { status?: CanaryStatus }) => {
      if (obj.status) seen.push(obj.status);
    },
    () => {},
  );
  const steps = () =>
    seen.map((s) => `${s.phase}:${s.canaryWeight ?? 0}`).filter((s, i, all) => i === 0 || s !== all[i - 1]);
  return {
    statuses: () => seen,
    /** Distinct consecutive (phase, weight) pairs. */
    steps,
    /** The weights of the Progressing steps, in order (distinct consecutive ones). */
    progressingWeights: () =>
      steps()
        .filter((s) => s.startsWith('Progressing:'))
        .map((s) => Number(s.split(':')[1])),
    stop: () => req.abort(),
  };
}
