import { alertProviderSpecSchema } from './alert-provider.ts';
import { canarySpecSchema } from './canary-spec.ts';
import { canaryStatusSchema } from './canary-status.ts';
import { buildCrd } from './crd.ts';
import { fleetCanarySpecSchema, fleetCanaryStatusSchema } from './fleet-canary.ts';
import type { CrdDefinition, CustomResourceDefinition, PrinterColumn } from './crd.ts';
import { GROUP, VERSION } from './group.ts';
import { metricTemplateSpecSchema } from './metric-template.ts';

// With additionalPrinterColumns set the API server no longer adds Age by itself.
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const definitions: CrdDefinition[] = [
  {
    group: GROUP,
    version: VERSION,
    kind: 'Canary',
    plural: 'canaries',
    singular: 'canary',
    description: 'Canary releases a Deployment progressively, analysing each step (Flagger v1beta1 fields)',
    spec: canarySpecSchema,
    status: canaryStatusSchema,
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.phase' },
      { name: 'Weight', type: 'integer', jsonPath: '.status.canaryWeight' },
      { name: 'FailedChecks', type: 'integer', jsonPath: '.status.failedChecks' },
      { name: 'LastTransitionTime', type: 'date', jsonPath: '.status.lastTransitionTime' },
      age,
      // kubectl get canaries -o wide
      { name: 'Interval', type: 'string', jsonPath: '.spec.analysis.interval', priority: 1 },
      { name: 'StepWeight', type: 'integer', jsonPath: '.spec.analysis.stepWeight', priority: 1 },
      { name: 'MaxWeight', type: 'integer', jsonPath: '.spec.analysis.maxWeight', priority: 1 },
      { name: 'Suspended', type: 'boolean', jsonPath: '.spec.suspend', priority: 1 },
      { name: 'Paused', type: 'boolean', jsonPath: '.status.paused', priority: 1 },
    ],
    categories: ['all', 'fledge'],
  },
  {
    group: GROUP,
    version: VERSION,
    kind: 'MetricTemplate',
    plural: 'metrictemplates',
    singular: 'metrictemplate',
    description: 'MetricTemplate is a query that Canary metrics reference by name',
    spec: metricTemplateSpecSchema,
    printerColumns: [{ name: 'Provider', type: 'string', jsonPath: '.spec.provider.type' }, age],
    categories: ['fledge'],
  },
  {
    group: GROUP,
    version: VERSION,
    kind: 'AlertProvider',
    plural: 'alertproviders',
    singular: 'alertprovider',
    description: 'AlertProvider is where Canary alerts are sent',
    spec: alertProviderSpecSchema,
    printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.spec.type' }, age],
    categories: ['fledge'],
  },
  {
    group: GROUP,
    version: VERSION,
    kind: 'FleetCanary',
    plural: 'fleetcanaries',
    singular: 'fleetcanary',
    description: 'FleetCanary releases one Canary across member clusters, wave by wave (hub side)',
    spec: fleetCanarySpecSchema,
    status: fleetCanaryStatusSchema,
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.phase' },
      { name: 'Release', type: 'string', jsonPath: '.status.release.id' },
      { name: 'Message', type: 'string', jsonPath: '.status.message' },
      age,
    ],
    categories: ['fledge'],
  },
];

/** Every fledge CRD with the file gen-crds writes it to (crds/<plural>.<group>.yaml). */
export function fledgeCrds(): { file: string; crd: CustomResourceDefinition }[] {
  return definitions.map((def) => ({ file: `${def.plural}.${def.group}.yaml`, crd: buildCrd(def) }));
}
