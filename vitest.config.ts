import { defineConfig } from 'vitest/config';

// Three projects, one per kind of test (DESIGN.md "Testing"): unit tests are pure and fast;
// integration tests share one real control plane started by test/env (globalSetup) and isolate
// themselves by namespace; e2e tests add Prometheus and a loopback data plane.
// Every test worker loads prometheus-query as the operator process does (its queries through the
// axios stand-in on Node's http module): test/env/as-in-the-operator.ts.
const setupFiles = ['test/env/as-in-the-operator.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles,
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          setupFiles,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          setupFiles,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
