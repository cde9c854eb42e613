#!/usr/bin/env node
// fledge fleet controller entry point (`node operator/src/fleet/main.ts`), run on a hub cluster.
// The same runtime set-up as the operator's main.ts, then the fleet controller itself.
import '../runtime/young-generation.ts';
import { leanDependencies } from '../runtime/lean-dependencies.ts';

leanDependencies();
await import('./run.ts');
