import { z } from 'zod';
import { conditionsSchema } from './condition.ts';
import { opaqueObject } from './string-map.ts';

/** Flagger's phase names; derived from the machine state by one pure function elsewhere. */
export const canaryPhaseSchema = z.enum([
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
  'Terminated',
]);
export type CanaryPhase = z.infer<typeof canaryPhaseSchema>;

export const checkVerdictSchema = z.enum(['Pass', 'Fail', 'Inconclusive']);
export type CheckVerdict = z.infer<typeof checkVerdictSchema>;

/** The last measurement of one metric check, so a user can see why a decision was taken. */
export const checkSchema = z.object({
  name: z.string().min(1).describe('Metric name from spec.analysis.metrics'),
  value: z.number().nullable().describe('Measured value; null when the query returned nothing'),
  min: z.number().optional().describe('Lower bound it was compared with'),
  max: z.number().optional().describe('Upper bound it was compared with'),
  verdict: checkVerdictSchema,
  message: z.string().optional().describe('Why, for Fail and Inconclusive'),
  time: z.iso.datetime({ offset: true }).describe('When it was measured'),
});
export type Check = z.infer<typeof checkSchema>;

const time = z.iso.datetime({ offset: true });

/**
 * Written only by the operator. Flagger-compatible fields (phase, canaryWeight, failedChecks,
 * iterations, last*Spec, trackedConfigs, lastTransitionTime) plus kstatus ones (observedGeneration,
 * conditions). Undeclared status fields would be pruned on write, so everything the operator
 * persists is declared here; the machine snapshot is opaque to the API server and validated by
 * the operator itself.
 */
export const canaryStatusSchema = z
  .object({
    phase: canaryPhaseSchema.optional().describe('Flagger phase of the current or last release'),
    observedGeneration: z.int().min(0).optional().describe('The spec generation this status describes'),
    canaryWeight: z.int().min(0).max(100).optional().describe('Traffic weight routed to the canary'),
    failedChecks: z.int().min(0).optional().describe('Failed checks in the current analysis'),
    iterations: z.int().min(0).optional().describe('Analysis steps taken in the current release'),
    lastAppliedSpec: z.string().optional().describe('Hash of the target pod template under analysis'),
    lastPromotedSpec: z.string().optional().describe('Hash of the pod template last promoted'),
    trackedConfigs: z
      .record(z.string(), z.string())
      .optional()
      .describe('Checksums of the ConfigMaps and Secrets the target uses'),
    lastTransitionTime: time.optional().describe('When phase last changed'),
    nextStepAt: time.optional().describe('When the operator acts next without an outside event'),
    message: z.string().optional().describe('What the operator is doing or waiting for'),
    paused: z.boolean().optional().describe('A pause command holds the release in progress'),
    lastCommand: z
      .object({
        id: z.string().describe('Hash of the annotation text it was read from'),
        verb: z.string().describe('promote, abort, retry, pause or resume'),
        revision: z.string().describe('The release it was for'),
        accepted: z.boolean(),
        message: z.string().describe('What it did, or why it was refused'),
        time: time.describe('When it was handled'),
      })
      .optional()
      .describe('The last command of the fledge.dev/command annotation, and what became of it'),
    conditions: conditionsSchema.optional(),
    checks: z
      .array(checkSchema)
      .max(64)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .optional()
      .describe('Last measurement of every metric check'),
    decision: opaqueObject
      .optional()
      .describe(
        'The last decision persisted before acting on it: its sequence number, its effects and which were delivered; validated by the operator',
      ),
    machine: opaqueObject
      .optional()
      .describe('Persisted state machine snapshot; validated by the operator, opaque to the API server'),
  })
  .describe('Written by the operator only');
export type CanaryStatus = z.infer<typeof canaryStatusSchema>;
