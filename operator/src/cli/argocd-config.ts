// `kubectl fledge argocd-cm`: the argocd-cm entries that teach Argo CD a Canary's health and its
// actions, built from the scripts the chart ships (charts/fledge/files/argocd), so what users
// install is exactly what the tests run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const KEY = 'fledge.dev_Canary';
const FLEET_KEY = 'fledge.dev_FleetCanary';

/** The scripts as Argo CD reads them: health, action discovery, and one action.lua per action. */
export interface ArgoScripts {
  health: string;
  /** The FleetCanary's health, for a hub cluster. */
  fleetHealth: string;
  discovery: string;
  actions: { name: string; lua: string }[];
}

export function readArgoScripts(dir: string): ArgoScripts {
  const actionsDir = join(dir, 'actions');
  const names = readdirSync(actionsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return {
    health: readFileSync(join(dir, 'health.lua'), 'utf8'),
    fleetHealth: readFileSync(join(dir, 'fleet-health.lua'), 'utf8'),
    discovery: readFileSync(join(actionsDir, 'discovery.lua'), 'utf8'),
    actions: names.map((name) => ({ name, lua: readFileSync(join(actionsDir, name, 'action.lua'), 'utf8') })),
  };
}

/** A merge patch for the argocd-cm ConfigMap (`kubectl -n argocd patch cm argocd-cm --patch-file`). */
export function argoConfigPatch(s: ArgoScripts): string {
  // Literal blocks, never folded: the Lua reaches Argo CD line for line as the files have it.
  const literal = { blockQuote: 'literal', lineWidth: 0 } as const;
  const actions = stringify(
    {
      'discovery.lua': s.discovery,
      definitions: s.actions.map((a) => ({ name: a.name, 'action.lua': a.lua })),
    },
    literal,
  );
  return stringify(
    {
      data: {
        [`resource.customizations.health.${KEY}`]: s.health,
        [`resource.customizations.actions.${KEY}`]: actions,
        [`resource.customizations.health.${FLEET_KEY}`]: s.fleetHealth,
      },
    },
    literal,
  );
}
