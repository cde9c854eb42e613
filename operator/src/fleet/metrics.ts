import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FleetCanaryStatus } from '../api/index.ts';
import { fleetPhaseSchema, memberPhaseSchema } from '../api/index.ts';

/** The fleet controller's own Prometheus metrics (docs/fleet.md#metrics). */
export function createFleetMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'fledge_fleet_' });
  const labelNames = ['namespace', 'name'] as const;
  const phase = new Gauge({
    name: 'fledge_fleet_phase_info',
    help: 'Verdict of each FleetCanary (1 for the current phase)',
    labelNames: [...labelNames, 'phase'],
    registers: [registry],
  });
  const clusters = new Gauge({
    name: 'fledge_fleet_clusters',
    help: "Clusters of each FleetCanary's current release by phase",
    labelNames: [...labelNames, 'phase'],
    registers: [registry],
  });
  return {
    registry,
    leader: new Gauge({
      name: 'fledge_fleet_leader',
      help: '1 while this fleet controller holds the lease',
      registers: [registry],
    }),
    passes: new Histogram({
      name: 'fledge_fleet_pass_duration_seconds',
      help: 'Time of one pass over one FleetCanary (every member read, status written, commands sent)',
      labelNames: [...labelNames, 'result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    memberReads: new Counter({
      name: 'fledge_fleet_member_reads_total',
      help: 'Reads of member clusters by result (canary, missing, invalid, unreachable)',
      labelNames: ['result'],
      registers: [registry],
    }),
    commands: new Counter({
      name: 'fledge_fleet_commands_total',
      help: 'Commands written to member Canaries (promote opens a gate, abort halts one)',
      labelNames: [...labelNames, 'verb'],
      registers: [registry],
    }),
    observe(namespace: string, name: string, status: FleetCanaryStatus): void {
      for (const p of fleetPhaseSchema.options)
        phase.set({ namespace, name, phase: p }, status.phase === p ? 1 : 0);
      for (const p of memberPhaseSchema.options) {
        const n = (status.clusters ?? []).filter((c) => c.phase === p).length;
        if (n > 0) clusters.set({ namespace, name, phase: p }, n);
        else clusters.remove({ namespace, name, phase: p });
      }
    },
    forget(namespace: string, name: string): void {
      for (const p of fleetPhaseSchema.options) phase.remove({ namespace, name, phase: p });
      for (const p of memberPhaseSchema.options) clusters.remove({ namespace, name, phase: p });
    },
  };
}
export type FleetMetrics = ReturnType<typeof createFleetMetrics>;
