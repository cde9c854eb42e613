import { describe, expect, it } from 'vitest';
import { fleetOutcome, renderFleet } from '../../../operator/src/cli/fleet-render.ts';
import { colors } from '../../../operator/src/cli/render.ts';

const now = new Date('2026-12-01T10:05:00Z');

describe('fleet status rendering', () => {
  it('draws one line per wave and per cluster, with gates, failures and the verdict', () => {
    const lines = renderFleet(
      {
        metadata: { namespace: 'hub', name: 'web' },
        status: {
          phase: 'Halted',
          release: { id: 'app=web:2', startedAt: '2026-12-01T10:03:00Z' },
          waves: [
            { name: 'first', phase: 'Halted', clusters: 2 },
            { name: 'rest', phase: 'Pending', clusters: 1 },
          ],
          clusters: [
            {
              name: 'eu-1',
              wave: 'first',
              phase: 'Failed',
              revision: 'r2',
              approvedRevision: 'r2',
              approvedAt: '2026-12-01T10:04:00Z',
              lastFailedCheck: { name: 'success-rate' },
            },
            {
              name: 'eu-2',
              wave: 'first',
              phase: 'Progressing',
              weight: 40,
              revision: 'r2',
              approvedRevision: 'r2',
              approvedAt: '2026-12-01T10:04:30Z',
            },
            { name: 'us-1', wave: 'rest', phase: 'Unreachable', message: 'connect ECONNREFUSED' },
          ],
          unassigned: ['lab'],
          message: 'halted in wave first: eu-1 rolled back app=web:2',
        },
      },
      { now, colors: colors(false) },
    );
    expect(lines).toEqual([
      'hub/web  Halted  release app=web:2  started 2m ago',
      'wave first  Halted       2 clusters',
      '  eu-1  Failed  gate opened 60s ago  failed success-rate',
      '  eu-2  Progressing  weight 40  gate opened 30s ago',
      'wave rest   Pending      1 cluster',
      '  us-1  Unreachable  connect ECONNREFUSED',
      'no wave  lab',
      'message  halted in wave first: eu-1 rolled back app=web:2',
    ]);
  });

  it('renders a FleetCanary with no status yet', () => {
    expect(
      renderFleet({ metadata: { namespace: 'hub', name: 'web' } }, { now, colors: colors(false) }),
    ).toEqual(['hub/web  no status yet']);
  });

  it('ends a watch on Succeeded and Halted only', () => {
    expect(fleetOutcome('Succeeded')).toBe('succeeded');
    expect(fleetOutcome('Halted')).toBe('halted');
    expect(fleetOutcome('Progressing')).toBeUndefined();
    expect(fleetOutcome('Idle')).toBeUndefined();
  });
});
