// Pure rendering for the fledge CLI: Canary objects in, text out. No I/O, no clock (`now` is passed
// in), colours only through the injected picocolors instance so tests can render without them.
import cliTruncate from 'cli-truncate';
import pc from 'picocolors';
import stringWidth from 'string-width';
import type { CanaryPhase, CanaryStatus, Check } from '../api/index.ts';

export type Colors = ReturnType<typeof pc.createColors>;
export const colors = (enabled: boolean): Colors => pc.createColors(enabled);

/** What the CLI reads of a Canary: enough of metadata and spec to render it. */
export interface CanaryView {
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    creationTimestamp?: string | Date;
  };
  spec?: {
    suspend?: boolean;
    analysis?: {
      threshold?: number;
      maxWeight?: number;
      interval?: string;
      stepWeight?: number;
      stepWeights?: number[];
    };
  };
  status?: CanaryStatus;
}

export type Outcome = 'succeeded' | 'failed';

/** Phases that end a release: a watch stops there. */
export function outcomeOf(phase: CanaryPhase | undefined): Outcome | undefined {
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed') return 'failed';
  return undefined;
}

/** Columns a string takes on a terminal: colours take none, wide characters two. */
export const visibleLength = (s: string): number => stringWidth(s);

/** Cuts a line to `width` terminal columns, ending in an ellipsis and keeping its colours intact. */
export function fit(line: string, width: number): string {
  if (width <= 0 || visibleLength(line) <= width) return line;
  return cliTruncate(line, width);
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - visibleLength(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - visibleLength(s))) + s;

/** kubectl's age format: 42s, 3m10s, 5h2m, 4d. */
export function age(since: string | Date | undefined, now: Date): string {
  if (since === undefined) return '<unknown>';
  const s = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000));
  if (Number.isNaN(s)) return '<unknown>';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function phaseColor(c: Colors, phase: CanaryPhase | undefined): (s: string) => string {
  switch (phase) {
    case 'Succeeded':
    case 'Initialized':
      return c.green;
    case 'Failed':
      return c.red;
    case 'Progressing':
    case 'Promoting':
    case 'Finalising':
      return c.cyan;
    case 'Waiting':
    case 'WaitingPromotion':
      return c.yellow;
    default:
      return (s) => s;
  }
}

/** A measured value: at most two decimals, `no data` for null. */
export function formatValue(v: number | null): string {
  if (v === null) return 'no data';
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

/** `min 99`, `max 500`, `99..500`. */
export function formatBounds(check: Pick<Check, 'min' | 'max'>): string {
  if (check.min !== undefined && check.max !== undefined) return `${check.min}..${check.max}`;
  if (check.min !== undefined) return `min ${check.min}`;
  if (check.max !== undefined) return `max ${check.max}`;
  return '';
}

export function verdictColor(c: Colors, verdict: Check['verdict']): (s: string) => string {
  return verdict === 'Pass' ? c.green : verdict === 'Fail' ? c.red : c.yellow;
}

/** `success-rate 70.5 (min 99) Fail`: one check on one line. */
export function formatCheck(c: Colors, check: Check): string {
  const bounds = formatBounds(check);
  return `${check.name} ${formatValue(check.value)}${bounds ? ` (${bounds})` : ''} ${verdictColor(c, check.verdict)(check.verdict)}`;
}

/** A two-colour bar, `width` cells: primary share then canary share. */
export function weightBar(c: Colors, canaryWeight: number, width = 30): string {
  const w = Math.min(100, Math.max(0, canaryWeight));
  const canaryCells = Math.round((w / 100) * width);
  return c.blue('█'.repeat(width - canaryCells)) + c.yellow('█'.repeat(canaryCells));
}

const threshold = (v: CanaryView) => v.spec?.analysis?.threshold ?? 1;
const nameOf = (v: CanaryView) => `${v.metadata.namespace ?? ''}/${v.metadata.name ?? ''}`;

/** `-o wide`: the release's pace, and whether something holds it (suspend, a pause command). */
function wideCells(v: CanaryView): string[] {
  const a = v.spec?.analysis ?? {};
  const step = a.stepWeights?.join(',') ?? (a.stepWeight !== undefined ? String(a.stepWeight) : '-');
  const held = v.spec?.suspend ? 'suspended' : v.status?.paused ? 'paused' : '-';
  return [a.interval ?? '-', step, a.maxWeight !== undefined ? String(a.maxWeight) : '-', held];
}

/** The table of `fledge get`, like kubectl get: aligned columns, no borders. */
export function renderTable(
  canaries: readonly CanaryView[],
  o: { allNamespaces: boolean; now: Date; colors: Colors; wide?: boolean },
): string {
  if (canaries.length === 0) return 'No canaries found.';
  const header = [
    ...(o.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'PHASE',
    'WEIGHT',
    'FAILED CHECKS',
    'LAST TRANSITION',
    ...(o.wide ? ['INTERVAL', 'STEP WEIGHT', 'MAX WEIGHT', 'HELD'] : []),
    'MESSAGE',
  ];
  const rows = canaries.map((v) => {
    const s = v.status ?? {};
    return [
      ...(o.allNamespaces ? [v.metadata.namespace ?? ''] : []),
      v.metadata.name ?? '',
      phaseColor(o.colors, s.phase)(s.phase ?? '<none>'),
      String(s.canaryWeight ?? 0),
      `${s.failedChecks ?? 0}/${threshold(v)}`,
      s.lastTransitionTime ? age(s.lastTransitionTime, o.now) : '<none>',
      ...(o.wide ? wideCells(v) : []),
      s.message ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, (widths[i] ?? 0) + 3)))
      .join('')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The live frame of `fledge watch` on a terminal: several lines, redrawn in place.
 *
 *   demo/podinfo  Progressing  12s
 *   traffic  ███████████████████████░░░░░░░  primary 80  canary 20  (max 60)
 *   check    success-rate      100  min 99   Pass
 *   failed   0/2
 *   message  Advanced to 20%
 */
export function renderFrame(v: CanaryView, o: { now: Date; colors: Colors; barWidth?: number }): string[] {
  const c = o.colors;
  const s = v.status ?? {};
  const weight = s.canaryWeight ?? 0;
  const maxWeight = v.spec?.analysis?.maxWeight;
  const lines = [
    `${c.bold(nameOf(v))}  ${phaseColor(c, s.phase)(s.phase ?? 'no status yet')}${
      s.lastTransitionTime ? c.dim(`  ${age(s.lastTransitionTime, o.now)}`) : ''
    }`,
    `${c.dim('traffic')}  ${weightBar(c, weight, o.barWidth)}  ${c.blue(`primary ${100 - weight}`)}  ${c.yellow(
      `canary ${weight}`,
    )}${maxWeight !== undefined ? c.dim(`  (max ${maxWeight})`) : ''}`,
  ];
  const checks = s.checks ?? [];
  const nameWidth = Math.max(0, ...checks.map((k) => k.name.length));
  const valueWidth = Math.max(0, ...checks.map((k) => formatValue(k.value).length));
  const boundsWidth = Math.max(0, ...checks.map((k) => formatBounds(k).length));
  for (const k of checks) {
    lines.push(
      `${c.dim('check')}    ${pad(k.name, nameWidth)}  ${padStart(formatValue(k.value), valueWidth)}  ${pad(
        formatBounds(k),
        boundsWidth,
      )}  ${verdictColor(c, k.verdict)(k.verdict)}${k.message && k.verdict !== 'Pass' ? c.dim(`  ${k.message}`) : ''}`,
    );
  }
  const failed = s.failedChecks ?? 0;
  const failedText = `${failed}/${threshold(v)}`;
  lines.push(`${c.dim('failed')}   ${failed > 0 ? c.red(failedText) : failedText}`);
  if (s.message) lines.push(`${c.dim('message')}  ${s.message}`);
  return lines;
}

/**
 * One line per change for logs (no TTY):
 * `demo/podinfo Progressing weight 20/60 | success-rate 100 (min 99) Pass | failed 0/2 | Advanced`.
 * Holds no time, so equal lines mean nothing changed; the caller prefixes a timestamp.
 */
export function renderLine(v: CanaryView, o: { colors: Colors }): string {
  const c = o.colors;
  const s = v.status ?? {};
  const maxWeight = v.spec?.analysis?.maxWeight;
  const parts = [
    `${nameOf(v)} ${phaseColor(c, s.phase)(s.phase ?? 'no status yet')} weight ${s.canaryWeight ?? 0}${
      maxWeight !== undefined ? `/${maxWeight}` : ''
    }`,
    ...(s.checks ?? []).map((k) => formatCheck(c, k)),
    `failed ${s.failedChecks ?? 0}/${threshold(v)}`,
    ...(s.message ? [s.message] : []),
  ];
  return parts.join(' | ');
}

/** `12:03:04`, the local wall time prefix of log lines. */
export function clock(now: Date): string {
  return now.toTimeString().slice(0, 8);
}
