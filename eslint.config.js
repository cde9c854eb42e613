import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Pure decision code (the machine, schedules, threshold evaluation, conditions, schemas) must not
// reach for I/O: the import graph keeps decide and act apart (STYLE.md "Where things live").
const ioModules = {
  paths: [
    { name: '@kubernetes/client-node', message: 'pure modules take data, not a Kubernetes client' },
    { name: 'prometheus-query', message: 'pure modules take values, not a Prometheus client' },
    { name: 'pino', message: 'pure modules do not log; return what happened instead' },
    { name: 'prom-client', message: 'pure modules do not record metrics' },
  ],
  patterns: [
    {
      group: [
        'node:fs',
        'node:fs/*',
        'node:net',
        'node:http',
        'node:https',
        'node:child_process',
        'node:dgram',
      ],
      message: 'pure modules do no I/O',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'charts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: [
      'operator/src/machine/**',
      'operator/src/api/**',
      'operator/src/status/**',
      'analysis/src/evaluate*.ts',
      'analysis/src/render*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', ioModules] },
  },
  {
    // The operator's process loads client-node's KubeConfig, Watch and informer only: its index
    // loads every generated model and API class (docs/decisions/0009-lean-client.md). Types are free.
    files: ['operator/src/**/*.ts', 'analysis/src/**/*.ts'],
    ignores: ['operator/src/cli/**', 'operator/src/tools/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kubernetes/client-node',
              message:
                'import types only; requests go through kube/rest.ts (docs/decisions/0009-lean-client.md)',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='only']", message: 'no focused tests' },
      ],
    },
  },
);
