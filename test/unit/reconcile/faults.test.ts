import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventReason } from '../../../operator/src/machine/index.ts';
import { createWorld, type Fault, type FaultKind, type Outcome, type Scenario } from './fault-world.ts';

// The reconcile pass under faults, property-based over effect boundaries: the real reconciler,
// machine and effect executor on an in-memory world whose Deployment cache lags the API server.
// A crash, a lost response, a failed call or another client's metadata write is injected at
// every boundary of every path (good, bad and flapping releases), then the release runs to its
// end and the invariants that users buy a progressive delivery operator for are checked.

const machineReasons: ReadonlySet<string> = new Set(Object.values(EventReason));
const kinds: FaultKind[] = ['crash', 'lostResponse', 'error', 'metadata'];
const scenarios: Scenario[] = ['good', 'bad', 'flapping'];

function checkInvariants(scenario: Scenario, o: Outcome): void {
  expect(o.released).toBe(true);
  const v2 = (img: string) => img === 'web:2';
  // A good release is promoted unless Prometheus failed it (missing data counts as a failed check).
  if (scenario === 'good' && o.failedQueries === 0) expect(o.phase).toBe('Succeeded');
  if (scenario === 'bad') expect(o.phase).toBe('Failed');
  expect(['Succeeded', 'Failed']).toContain(o.phase);
  const primaryImage = o.primary?.spec?.template.spec?.containers[0]?.image;
  if (o.phase === 'Failed') {
    // A rolled-back revision never ran on the primary, not even for a moment.
    expect(o.primaryImages.some(v2)).toBe(false);
    expect(primaryImage).toBe('web:1');
    expect(o.status?.['lastPromotedSpec']).not.toBe(o.status?.['lastAppliedSpec']);
  } else {
    expect(primaryImage).toBe('web:2');
    expect(o.status?.['lastPromotedSpec']).toBe(o.status?.['lastAppliedSpec']);
    // Promoted exactly once: one write of the new template.
    expect(o.primaryImages.filter(v2)).toHaveLength(1);
  }
  // kstatus: Ready once the release is over and applied, Stalled after a rollback.
  const conditions = (o.status?.['conditions'] ?? []) as Array<{ type: string; status: string }>;
  const is = (type: string) => conditions.find((c) => c.type === type)?.status;
  if (o.phase === 'Succeeded') expect([is('Ready'), is('Reconciling')]).toEqual(['True', undefined]);
  else expect(is('Stalled')).toBe('True');
  // Every weight ever written splits 100, and the release ends with all traffic on the primary.
  for (const w of o.routeWrites) expect(w.primary + w.canary).toBe(100);
  expect(o.route).toEqual({ primary: 100, canary: 0 });
  expect(o.status?.['canaryWeight']).toBe(0);
  // Told once: every Event of the machine is keyed, none recorded twice, the release's own once.
  // (A failed call shows as a Warning Event of its own, ReconcileError, which may well repeat.)
  const machineEvents = o.events.filter((e) => machineReasons.has(e.reason));
  for (const e of machineEvents) {
    expect(e.keyed).toBe(true);
    expect(e.count).toBe(1);
  }
  const told = machineEvents
    .filter((e) => e.reason !== 'CheckFailed')
    .map((e) => `${e.reason}: ${e.message}`);
  expect(new Set(told).size).toBe(told.length);
  const end = o.phase === 'Succeeded' ? 'Succeeded' : 'RolledBack';
  for (const reason of ['NewRevision', end]) {
    const n = o.events.filter((e) => e.reason === reason).length;
    // Only an Event whose create failed (dropped, as by the real recorder) may be missing.
    if (o.droppedEvents === 0) expect(n, reason).toBe(1);
    else expect(n, reason).toBeLessThanOrEqual(1);
  }
  // Alerts at most once each (a crash between claim and send may lose one, never repeat one).
  expect(new Set(o.alerts).size).toBe(o.alerts.length);
}

describe('reconcile under faults', () => {
  const baseline = new Map<Scenario, Outcome>();

  it.each(scenarios)('%s release without faults', async (scenario) => {
    const o = await createWorld(scenario, []).run();
    checkInvariants(scenario, o);
    // Without faults nothing is lost either: every alert of the release went out.
    expect(o.alerts.length).toBeGreaterThanOrEqual(2);
    baseline.set(scenario, o);
  });

  it.each(scenarios.flatMap((s) => kinds.map((k) => [s, k] as const)))(
    '%s release, one %s at every effect boundary',
    async (scenario, kind) => {
      const boundaries =
        baseline.get(scenario)?.boundaries ?? (await createWorld(scenario, []).run()).boundaries;
      let injected = 0;
      for (let at = 0; at < boundaries; at++) {
        const o = await createWorld(scenario, [{ at, kind }]).run();
        try {
          checkInvariants(scenario, o);
        } catch (err) {
          throw new Error(`${kind} at boundary ${at} of ${boundaries}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        injected += 1;
      }
      expect(injected).toBe(boundaries);
    },
    120_000,
  );

  it('holds for any mix of faults at any boundaries, with any cache lag', async () => {
    const fault = fc.record({ at: fc.nat({ max: 160 }), kind: fc.constantFrom(...kinds) });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...scenarios),
        fc.array(fault, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (scenario: Scenario, faults: Fault[], lag: number) => {
          checkInvariants(scenario, await createWorld(scenario, faults, lag).run());
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('a provider whose CRDs are not installed', () => {
  it('stalls naming it before anything is written, then releases once they are served', async () => {
    const o = await createWorld('good', [], 2, { providerInstalledAt: 4 }).run();
    expect(o.appliedWithoutProvider).toBe(false);
    expect(o.stalledReasons.length).toBeGreaterThan(0);
    expect(new Set(o.stalledReasons)).toEqual(new Set(['ProviderNotInstalled']));
    expect(o.phase).toBe('Succeeded');
    checkInvariants('good', o);
  });
});
