import { z } from 'zod';
import { canaryPhaseSchema } from './canary-status.ts';
import { conditionsSchema } from './condition.ts';
import { durationSchema } from './duration.ts';
import { API_VERSION } from './group.ts';
import { objectMetaSchema } from './object-meta.ts';
import { parseWith, type Parsed } from './parse.ts';

/**
 * One release across many clusters, wave by wave (docs/fleet.md). The fleet controller runs on a
 * hub cluster; each member cluster runs its own fledge and the same Canary, held at a manual
 * confirm-rollout gate that only the hub opens, for one cluster at a time as its wave comes.
 */

const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS label (lower case, digits, -)' });

/** A Kubernetes label selector as kubectl -l writes it ("env=prod,region in (eu,us)"). */
const selectorString = z.string().max(1024);

export const fleetWaveSchema = z
  .object({
    name: dnsLabel.describe('Name shown in status and Events'),
    clusters: selectorString.describe(
      'Label selector of the member cluster Secrets in this wave ("" selects every cluster no earlier wave took)',
    ),
    maxParallel: z
      .int()
      .min(1)
      .optional()
      .describe('Clusters of the wave whose gate is open at once (default: all of them)'),
    soakTime: durationSchema
      .optional()
      .describe("Time after the wave's last promotion before the next wave opens"),
    maxFailures: z
      .int()
      .min(0)
      .optional()
      .describe('Clusters of the wave that may roll back before the release halts (default 0)'),
  })
  .describe('One wave: which clusters, how many at once, and how long to soak');
export type FleetWave = z.infer<typeof fleetWaveSchema>;

export const fleetCanarySpecSchema = z
  .object({
    canaryRef: z
      .object({
        namespace: dnsLabel.describe('Namespace of the Canary in every member cluster'),
        name: z.string().min(1).max(253).describe('Name of the Canary in every member cluster'),
      })
      .describe('The Canary the release runs through, the same in every member cluster'),
    clusters: selectorString
      .min(1)
      .describe(
        "Label selector of the Secrets (in the FleetCanary's namespace, with a kubeconfig key) of the member clusters; required, so other Secrets there are never taken for clusters",
      ),
    releaseAnnotation: z
      .string()
      .min(1)
      .max(317)
      .optional()
      .describe(
        "Pod template annotation that names a release the same way in every cluster (a Git revision); default: the target's container images",
      ),
    waves: z
      .array(fleetWaveSchema)
      .min(1)
      .max(32)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe('Waves in order: a wave opens once every earlier one promoted and soaked'),
    abortOnHalt: z
      .boolean()
      .optional()
      .describe("When a wave halts the release, also abort that wave's canaries still in analysis"),
    suspend: z.boolean().optional().describe('Open no gate until unset (releases in flight go on)'),
  })
  .describe('A release of one Canary across member clusters, in waves');
export type FleetCanarySpec = z.infer<typeof fleetCanarySpecSchema>;

const time = z.iso.datetime({ offset: true });

export const fleetPhaseSchema = z.enum(['Idle', 'Progressing', 'Succeeded', 'Halted']);
export type FleetPhase = z.infer<typeof fleetPhaseSchema>;

export const wavePhaseSchema = z.enum(['Pending', 'Progressing', 'Soaking', 'Succeeded', 'Halted']);
export type WavePhase = z.infer<typeof wavePhaseSchema>;

/** A member's Canary phase, or why the hub cannot say. */
export const memberPhaseSchema = z.enum([
  ...canaryPhaseSchema.options,
  'Unreachable',
  'Missing',
  'Invalid',
  'Syncing',
]);
export type MemberPhase = z.infer<typeof memberPhaseSchema>;

export const fleetClusterStatusSchema = z.object({
  name: z.string().describe('The cluster Secret'),
  wave: z.string().describe('The wave it belongs to in this release'),
  phase: memberPhaseSchema.describe("Its Canary's phase, or Unreachable, Missing, Invalid, Syncing"),
  weight: z.int().min(0).max(100).optional().describe('Traffic weight on its canary'),
  revision: z.string().optional().describe("Its Canary's status.lastAppliedSpec"),
  approvedRevision: z
    .string()
    .optional()
    .describe('The revision the hub opened the gate for (persisted before the gate is opened)'),
  approvedAt: time.optional(),
  abortedRevision: z.string().optional().describe('The revision the hub aborted when the wave halted'),
  startRevision: z
    .string()
    .optional()
    .describe('Its revision when the release started: only a change from it can start the next release'),
  attempt: z
    .int()
    .min(0)
    .optional()
    .describe('Gate openings the member refused (suspended, say) and the hub sent again'),
  succeededAt: time.optional().describe('When the hub first saw it promoted (its clock)'),
  lastFailedCheck: z
    .object({ name: z.string(), message: z.string().optional(), time: time.optional() })
    .optional(),
  message: z.string().optional(),
  time: time.optional().describe('When this entry last changed'),
});
export type FleetClusterStatus = z.infer<typeof fleetClusterStatusSchema>;

export const fleetCanaryStatusSchema = z
  .object({
    phase: fleetPhaseSchema.optional().describe('The verdict of the current or last release'),
    observedGeneration: z.int().min(0).optional(),
    release: z
      .object({
        id: z.string().describe('What names the release in every cluster (images or the annotation)'),
        startedAt: time,
        finishedAt: time.optional(),
      })
      .optional(),
    waves: z
      .array(
        z.object({
          name: z.string(),
          phase: wavePhaseSchema,
          clusters: z.int().min(0).describe('Clusters in this wave for this release'),
          promotedAt: time.optional().describe('When its last cluster was seen promoted'),
        }),
      )
      .optional(),
    clusters: z
      .array(fleetClusterStatusSchema)
      .max(1000)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .optional()
      .describe('The clusters of the current release (fixed when it started)'),
    unassigned: z.array(z.string()).optional().describe('Member clusters no wave selects'),
    halted: z
      .object({
        cluster: z.string(),
        wave: z.string(),
        check: z.string().optional().describe('The failed check of that cluster, if it said'),
        message: z.string(),
        time,
      })
      .optional(),
    message: z.string().optional(),
    conditions: conditionsSchema.optional(),
  })
  .describe('Written by the fleet controller only');
export type FleetCanaryStatus = z.infer<typeof fleetCanaryStatusSchema>;

export const fleetCanarySchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('FleetCanary'),
  metadata: objectMetaSchema,
  spec: fleetCanarySpecSchema,
  status: fleetCanaryStatusSchema.optional(),
});
export type FleetCanary = z.infer<typeof fleetCanarySchema>;

export function parseFleetCanary(obj: unknown): Parsed<FleetCanary> {
  return parseWith(fleetCanarySchema, obj);
}
