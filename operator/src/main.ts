#!/usr/bin/env node
// fledge operator entry point: `npm start` (or `node operator/src/main.ts`) against the current KUBECONFIG.
// First what the rest loads into: the heap's young generation, and which of its dependencies'
// modules load at all (a resolve hook applies only to imports resolved after it is registered, so
// the operator itself, run.ts, is imported afterwards).
import './runtime/young-generation.ts';
import { leanDependencies } from './runtime/lean-dependencies.ts';

leanDependencies();
await import('./run.ts');
