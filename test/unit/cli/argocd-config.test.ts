import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argoConfigPatch, readArgoScripts } from '../../../operator/src/cli/argocd-config.ts';

const dir = join(import.meta.dirname, '..', '..', '..', 'charts', 'fledge', 'files', 'argocd');

describe('kubectl fledge argocd-cm', () => {
  it('carries the shipped scripts into argocd-cm unchanged, one definition per action', () => {
    const patch = parse(argoConfigPatch(readArgoScripts(dir))) as { data: Record<string, string> };
    expect(patch.data['resource.customizations.health.fledge.dev_Canary']).toBe(
      readFileSync(join(dir, 'health.lua'), 'utf8'),
    );
    expect(patch.data['resource.customizations.health.fledge.dev_FleetCanary']).toBe(
      readFileSync(join(dir, 'fleet-health.lua'), 'utf8'),
    );
    const actions = parse(patch.data['resource.customizations.actions.fledge.dev_Canary'] ?? '') as {
      'discovery.lua': string;
      definitions: { name: string; 'action.lua': string }[];
    };
    expect(actions['discovery.lua']).toBe(readFileSync(join(dir, 'actions', 'discovery.lua'), 'utf8'));
    expect(actions.definitions.map((d) => d.name)).toEqual([
      'abort',
      'pause',
      'promote',
      'promote-full',
      'resume',
      'retry',
    ]);
    for (const d of actions.definitions) {
      expect(d['action.lua']).toBe(readFileSync(join(dir, 'actions', d.name, 'action.lua'), 'utf8'));
    }
    // Every action discovery offers has a definition, and the other way round.
    const offered = [...actions['discovery.lua'].matchAll(/actions\["([a-z-]+)"\]/g)].map((m) => m[1]).sort();
    expect(offered).toEqual(actions.definitions.map((d) => d.name));
  });
});
