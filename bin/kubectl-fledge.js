#!/usr/bin/env node
// `kubectl fledge ...` (kubectl finds plugins by the kubectl- prefix on PATH) and `fledge ...`.
// An installed package runs the compiled CLI from dist/; a checkout without a build runs the
// TypeScript source, which Node 24 strips of its types.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('../dist/operator/src/cli/main.js', import.meta.url);
await import(
  existsSync(compiled) ? compiled.href : new URL('../operator/src/cli/main.ts', import.meta.url).href
);
