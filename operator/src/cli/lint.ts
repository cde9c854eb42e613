// `kubectl fledge lint`: the admission verdict on manifests, offline. Pure: documents in, findings
// out; main.ts reads the files. The schemas are the ones the CRDs are generated from (their CEL
// half is the same rules), so what lint accepts the API server accepts, and the other way round.
import { parseAllDocuments } from 'yaml';
import {
  API_VERSION,
  GROUP,
  parseAlertProvider,
  parseFleetCanary,
  parseCanary,
  parseMetricTemplate,
  parseWithDefaultProvider,
  type FieldError,
  type Parsed,
  type ProviderName,
} from '../api/index.ts';

const FLAGGER_GROUP = 'flagger.app';
export interface LintOptions {
  fromFlagger?: boolean;
  /** Check Canaries without spec.provider as an operator with this --mesh-provider runs them. */
  meshProvider?: ProviderName;
}

const providerNamed = (doc: unknown) =>
  (doc as { spec?: { provider?: unknown } } | null)?.spec?.provider !== undefined;

/**
 * The verdict on one document. A Canary that names its provider (or is checked with
 * --mesh-provider) gets the operator's verdict; one without gets admission's, where the rules
 * that depend on the provider wait for the operator's default.
 */
function parserFor(kind: Kind, o: LintOptions): (doc: unknown) => Parsed<unknown> {
  if (kind === 'MetricTemplate') return parseMetricTemplate;
  if (kind === 'AlertProvider') return parseAlertProvider;
  if (kind === 'FleetCanary') return parseFleetCanary;
  return (doc) =>
    providerNamed(doc) || o.meshProvider !== undefined
      ? parseWithDefaultProvider(doc, o.meshProvider)
      : parseCanary(doc);
}
const kinds = { Canary: true, MetricTemplate: true, AlertProvider: true, FleetCanary: true } as const;
type Kind = keyof typeof kinds;

export interface Finding {
  /** `file:2` for the second document of a file. */
  where: string;
  /** `Canary shop/web`, or the document's kind when it is not one of fledge's. */
  what: string;
  verdict: 'valid' | 'invalid' | 'skipped';
  errors: FieldError[];
  /** How to write a Flagger field or habit for fledge, where the error is one. */
  hints: string[];
}

/** Flagger-isms that fledge answers with an error, and how to write them for fledge. */
function hintsFor(errors: readonly FieldError[], flagger: boolean): string[] {
  const hints = new Set<string>();
  if (flagger)
    hints.add(`apiVersion ${FLAGGER_GROUP}/...: fledge is ${API_VERSION}; --from-flagger rewrites it`);
  for (const e of errors) {
    if (e.path === 'spec.provider' && /not set/.test(e.message))
      hints.add(
        "as Flagger's -mesh-provider: set the operator's meshProvider, or spec.provider on the Canary",
      );
    if (e.path.startsWith('spec.service.') && /not supported/.test(e.message))
      hints.add(
        "Istio's retries, timeout, headers and corsPolicy and App Mesh's fields are not written by any fledge router yet; remove them",
      );
  }
  return [...hints];
}

/** One manifest as fledge would take it: Flagger's API group replaced by fledge's, nothing else. */
export function fromFlagger(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null) return doc;
  const o = doc as { apiVersion?: unknown; kind?: unknown };
  if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith(`${FLAGGER_GROUP}/`)) return doc;
  if (!(String(o.kind) in kinds)) return doc;
  return { ...o, apiVersion: API_VERSION };
}

export function lintDocument(where: string, doc: unknown, options: LintOptions = {}): Finding {
  const o = (typeof doc === 'object' && doc !== null ? doc : {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: string; namespace?: string };
  };
  const kind = String(o.kind ?? '(no kind)');
  const name = [o.metadata?.namespace, o.metadata?.name].filter(Boolean).join('/') || '(no name)';
  const what = `${kind} ${name}`;
  const group = typeof o.apiVersion === 'string' ? o.apiVersion.split('/')[0] : undefined;
  if (group === FLAGGER_GROUP && kind in kinds) {
    const asFledge = parserFor(kind as Kind, options)(fromFlagger(doc));
    const errors = [
      { path: 'apiVersion', message: `${String(o.apiVersion)} is Flagger's API; fledge's is ${API_VERSION}` },
      ...(asFledge.ok ? [] : asFledge.errors),
    ];
    return { where, what, verdict: 'invalid', errors, hints: hintsFor(errors, true) };
  }
  if (group !== GROUP || !(kind in kinds)) return { where, what, verdict: 'skipped', errors: [], hints: [] };
  const parsed = parserFor(kind as Kind, options)(doc);
  const unsetProvider =
    kind === 'Canary' && !providerNamed(doc) && options.meshProvider === undefined
      ? [
          "spec.provider is not set: the operator's --mesh-provider (chart value meshProvider) decides it; lint --mesh-provider NAME checks the rules that depend on it",
        ]
      : [];
  if (parsed.ok) return { where, what, verdict: 'valid', errors: [], hints: unsetProvider };
  return {
    where,
    what,
    verdict: 'invalid',
    errors: parsed.errors,
    hints: hintsFor(parsed.errors, false),
  };
}

/** Every document of one file's text; a YAML syntax error is a finding of its own. */
export function lintText(
  file: string,
  text: string,
  options: LintOptions = {},
): {
  findings: Finding[];
  rewritten: unknown[];
} {
  const findings: Finding[] = [];
  const rewritten: unknown[] = [];
  parseAllDocuments(text).forEach((d, i) => {
    const where = `${file}:${i + 1}`;
    if (d.errors.length > 0) {
      findings.push({
        where,
        what: '(not YAML)',
        verdict: 'invalid',
        errors: d.errors.map((e) => ({ path: '(document)', message: e.message })),
        hints: [],
      });
      return;
    }
    const raw: unknown = d.toJS();
    if (raw === null || raw === undefined) return;
    const doc = options.fromFlagger ? fromFlagger(raw) : raw;
    rewritten.push(doc);
    findings.push(lintDocument(where, doc, options));
  });
  return { findings, rewritten };
}

export function formatFinding(f: Finding): string {
  const lines = [
    `${f.where} ${f.what}: ${f.verdict}${f.verdict === 'skipped' ? ' (not a fledge resource)' : ''}`,
  ];
  for (const e of f.errors) lines.push(`  ${e.path}: ${e.message}`);
  for (const h of f.hints) lines.push(`  hint: ${h}`);
  return lines.join('\n');
}
