import type { TestProject } from 'vitest/node';
import { startCluster } from '../env/cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

/**
 * One real control plane for the whole run; test files isolate themselves with their own
 * namespaces. FLEDGE_TEST_KUBECONFIG reuses a cluster from `npm run cluster:up` for fast loops.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env['FLEDGE_TEST_KUBECONFIG'];
  if (reuse) {
    project.provide('kubeconfig', reuse);
    return async () => {};
  }
  const started = Date.now();
  const cluster = await startCluster();
  console.log(`local control plane ready in ${Date.now() - started} ms (${cluster.dir})`);
  project.provide('kubeconfig', cluster.kubeconfig);
  return () => cluster.stop();
}
