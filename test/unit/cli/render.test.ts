import { describe, expect, it } from 'vitest';
import { stripVTControlCharacters } from 'node:util';
import type { CanaryStatus } from '../../../operator/src/api/index.ts';
import {
  age,
  colors,
  fit,
  formatBounds,
  formatValue,
  outcomeOf,
  renderFrame,
  renderLine,
  renderTable,
  visibleLength,
  weightBar,
  type CanaryView,
} from '../../../operator/src/cli/render.ts';

const plain = colors(false);
const now = new Date('2026-01-01T00:10:00Z');
const T = '2026-01-01T00:09:48Z';

const view = (status: CanaryStatus, name = 'podinfo', namespace = 'demo'): CanaryView => ({
  metadata: { name, namespace },
  spec: { analysis: { threshold: 2, maxWeight: 60 } },
  status,
});
const progressing = view({
  phase: 'Progressing',
  canaryWeight: 20,
  failedChecks: 1,
  lastTransitionTime: T,
  message: 'canary weight 20',
  checks: [
    { name: 'success-rate', value: 70.123, min: 99, verdict: 'Fail', message: 'below 99', time: T },
    { name: 'latency-p99', value: 4.5, max: 500, verdict: 'Pass', time: T },
  ],
});

describe('values and bounds', () => {
  it.each([
    [100, '100'],
    [70.126, '70.13'],
    [0.001, '0'],
    [null, 'no data'],
  ])('formatValue(%s) = %s', (v, want) => expect(formatValue(v)).toBe(want));

  it.each([
    [{ min: 99 }, 'min 99'],
    [{ max: 500 }, 'max 500'],
    [{ min: 1, max: 2 }, '1..2'],
    [{}, ''],
  ])('formatBounds(%j) = %s', (b, want) => expect(formatBounds(b)).toBe(want));

  it.each([
    ['2026-01-01T00:09:58Z', '2s'],
    ['2026-01-01T00:08:00Z', '2m'],
    ['2026-01-01T00:06:50Z', '3m10s'],
    ['2026-01-01T00:00:00Z', '10m'],
    ['2025-12-31T21:00:00Z', '3h10m'],
    ['2025-12-25T00:10:00Z', '7d'],
    [undefined, '<unknown>'],
  ])('age(%s) = %s', (since, want) => expect(age(since, now)).toBe(want));

  it.each([
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['Progressing', undefined],
    [undefined, undefined],
  ] as const)('outcomeOf(%s) = %s', (phase, want) => expect(outcomeOf(phase)).toBe(want));
});

describe('weightBar', () => {
  it.each([
    [0, 10, 0],
    [20, 10, 2],
    [60, 30, 18],
    [100, 10, 10],
    [150, 10, 10],
  ])('weight %i over %i cells has %i canary cells', (w, width, canaryCells) => {
    const c = colors(true);
    const bar = weightBar(c, w, width);
    expect(visibleLength(bar)).toBe(width);
    expect(bar).toBe(c.blue('█'.repeat(width - canaryCells)) + c.yellow('█'.repeat(canaryCells)));
  });
});

describe('renderTable', () => {
  it('aligns columns like kubectl get, one row per canary', () => {
    const table = renderTable(
      [progressing, view({ phase: 'Succeeded', canaryWeight: 0, lastTransitionTime: T }, 'checkout')],
      { allNamespaces: false, now, colors: plain },
    );
    expect(table.split('\n')).toEqual([
      'NAME       PHASE         WEIGHT   FAILED CHECKS   LAST TRANSITION   MESSAGE',
      'podinfo    Progressing   20       1/2             12s               canary weight 20',
      'checkout   Succeeded     0        0/2             12s',
    ]);
  });

  it('adds the namespace with -A and copes with a canary without status', () => {
    const table = renderTable([{ metadata: { name: 'new', namespace: 'shop' } }], {
      allNamespaces: true,
      now,
      colors: plain,
    });
    expect(table.split('\n')[1]).toMatch(/^shop\s+new\s+<none>\s+0\s+0\/1\s+<none>$/);
  });

  it('says so when there is nothing', () =>
    expect(renderTable([], { allNamespaces: false, now, colors: plain })).toBe('No canaries found.'));

  it('keeps alignment with colours on', () => {
    const lines = renderTable([progressing], { allNamespaces: false, now, colors: colors(true) }).split('\n');
    expect(lines[1]).toContain('\x1b[');
    expect(stripVTControlCharacters(lines[1]!)).toBe(
      'podinfo   Progressing   20       1/2             12s               canary weight 20',
    );
  });
});

describe('renderFrame (terminal)', () => {
  it('shows phase, weights, every check against its bounds, failed checks and the message', () => {
    expect(renderFrame(progressing, { now, colors: plain, barWidth: 10 })).toEqual([
      'demo/podinfo  Progressing  12s',
      'traffic  ██████████  primary 80  canary 20  (max 60)',
      'check    success-rate  70.12  min 99   Fail  below 99',
      'check    latency-p99     4.5  max 500  Pass',
      'failed   1/2',
      'message  canary weight 20',
    ]);
  });

  it('colours verdicts: Fail red, Pass green, Inconclusive yellow', () => {
    const c = colors(true);
    const frame = renderFrame(
      view({
        phase: 'Progressing',
        checks: [{ name: 'x', value: null, min: 1, verdict: 'Inconclusive', time: T }],
      }),
      { now, colors: c },
    ).join('\n');
    expect(frame).toContain(c.yellow('Inconclusive'));
    expect(renderFrame(progressing, { now, colors: c }).join('\n')).toContain(c.red('Fail'));
    expect(renderFrame(progressing, { now, colors: c }).join('\n')).toContain(c.green('Pass'));
  });

  it('renders a canary the operator has not written yet', () => {
    expect(renderFrame({ metadata: { name: 'a', namespace: 'b' } }, { now, colors: plain })[0]).toBe(
      'b/a  no status yet',
    );
  });
});

describe('renderLine (logs)', () => {
  it('puts one change on one line', () => {
    expect(renderLine(progressing, { colors: plain })).toBe(
      'demo/podinfo Progressing weight 20/60 | success-rate 70.12 (min 99) Fail | latency-p99 4.5 (max 500) Pass | failed 1/2 | canary weight 20',
    );
  });

  it('holds no time, so an unchanged canary renders the same line', () => {
    const later = {
      ...progressing,
      status: { ...progressing.status, lastTransitionTime: now.toISOString() },
    };
    expect(renderLine(later, { colors: plain })).toBe(renderLine(progressing, { colors: plain }));
  });
});

describe('fit', () => {
  it('leaves short lines, cuts long ones by visible width', () => {
    const c = colors(true);
    expect(fit(c.red('abc'), 5)).toBe(c.red('abc'));
    const cut = fit(c.red('abcdef'), 4);
    expect(visibleLength(cut)).toBe(4);
    expect(stripVTControlCharacters(cut)).toBe('abc…');
    expect(cut.startsWith(c.red('abc…').slice(0, 5))).toBe(true); // still red
    expect(visibleLength('日本')).toBe(4);
  });
});
