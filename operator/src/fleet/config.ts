import { z } from 'zod';
import { configSchema, parseSettings } from '../runtime/config.ts';

const positiveInt = z.coerce.number().int().positive();
const shared = configSchema.pick({
  watchNamespace: true,
  metricsAddress: true,
  logLevel: true,
  logFormat: true,
  leaderElect: true,
  leaseNamespace: true,
  leaseDurationSeconds: true,
  renewDeadlineSeconds: true,
  retryPeriodSeconds: true,
  identity: true,
  apiTimeoutSeconds: true,
});

/** The fleet controller's settings (flags over FLEDGE_* variables), validated once at start. */
export const fleetConfigSchema = shared.extend({
  leaseName: z.string().min(1).default('fledge-fleet-leader'),
  /** How often every FleetCanary's members are read (the hub polls; it watches nothing in members). */
  pollSeconds: positiveInt.max(3600).default(5),
  /** Deadline of every request to a member cluster: an unreachable member never holds a pass. */
  memberTimeoutSeconds: positiveInt.max(300).default(10),
  /** Member clusters read at once per FleetCanary. */
  memberConcurrency: positiveInt.max(256).default(16),
});
export type FleetConfig = z.infer<typeof fleetConfigSchema>;

export function parseFleetConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): FleetConfig {
  return parseSettings(fleetConfigSchema, flags, env);
}
