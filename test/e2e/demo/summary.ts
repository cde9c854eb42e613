// Pure text for the demo: the outcome of each release and the final summary table.
import type { CanaryStatus } from '../../../operator/src/api/index.ts';
import { formatBounds, formatValue, visibleLength, type Colors } from '../../../operator/src/cli/render.ts';

export interface ReleaseResult {
  title: string;
  version: string;
  behaviour: string;
  expected: 'Succeeded' | 'Failed';
  /** The phase the release ended in, or why it did not end. */
  outcome: string;
  seconds: number;
  status: CanaryStatus | undefined;
}

export const passed = (r: ReleaseResult): boolean => r.outcome === r.expected;

/** Why a release ended as it did, from its status: the failing checks and their values. */
export function reasonOf(status: CanaryStatus | undefined): string {
  if (!status) return 'no status';
  if (status.phase === 'Failed') {
    const failing = (status.checks ?? []).filter((c) => c.verdict !== 'Pass');
    const checks = failing.map((c) => `${c.name} ${formatValue(c.value)} (${formatBounds(c)}) ${c.verdict}`);
    return [...checks, status.message ?? ''].filter(Boolean).join('; ');
  }
  if (status.phase === 'Succeeded') {
    const checks = (status.checks ?? []).map((c) => `${c.name} ${formatValue(c.value)} (${formatBounds(c)})`);
    return `promoted, ${status.failedChecks ?? 0} failed checks; last: ${checks.join(', ')}`;
  }
  return status.message ?? '';
}

export function summaryTable(results: readonly ReleaseResult[], c: Colors): string {
  const header = ['RELEASE', 'VERSION', 'BEHAVIOUR', 'EXPECTED', 'OUTCOME', 'TIME', 'WHY'];
  const rows = results.map((r) => [
    r.title,
    r.version,
    r.behaviour,
    r.expected,
    (passed(r) ? c.green : c.red)(`${r.outcome} ${passed(r) ? '✔' : '✘'}`),
    `${r.seconds.toFixed(0)}s`,
    reasonOf(r.status),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map(
        (cell, i) =>
          cell + ' '.repeat(i === cells.length - 1 ? 0 : (widths[i] ?? 0) - visibleLength(cell) + 2),
      )
      .join('');
  return [c.bold(line(header)), ...rows.map(line)].join('\n');
}
