#!/usr/bin/env node
// `kubectl fledge ...` (kubectl finds plugins by the kubectl- prefix on PATH) and `fledge ...`.
// In a checkout this runs the TypeScript source (Node 24 strips the types), so a stale build never
// answers; the installed package has no sources and runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../operator/src/cli/main.ts', import.meta.url);
await import(
  existsSync(source) ? source.href : new URL('../dist/operator/src/cli/main.js', import.meta.url).href
);
