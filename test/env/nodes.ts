import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { waitFor } from './wait.ts';

/**
 * Registers `count` fake nodes for kwok to manage. kwok does not create Node objects itself; it
 * marks these Ready and runs every pod bound to them as a Running, Ready pod with a fake IP.
 * No kwok NoSchedule taint, so ordinary Deployments schedule onto them.
 */
export async function createFakeNodes(kc: KubeConfig, count: number, timeoutMs = 30_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  const resources = { cpu: '64', memory: '512Gi', pods: '1000' };
  await Promise.all(
    names.map((name) => {
      const body: V1Node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
        },
        status: { capacity: resources, allocatable: resources },
      };
      return core.createNode({ body });
    }),
  );
  await waitFor(
    `${count} Ready kwok nodes`,
    async () => {
      const list = await core.listNode();
      const ready = list.items.filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length >= count;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
