import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size. V8 grows the semi-spaces up to a size picked
 * from the host's memory (2 x 32 MiB and more on a large node) whenever a scavenge sees many
 * survivors, and keeps them committed; the operator's young objects are short-lived request and
 * watch buffers, so the growth buys little and showed up as most of the resident memory that
 * rose with the number of canaries (docs/decisions/0008-young-generation.md).
 *
 * It must run before the rest of the operator loads, so main.ts imports it first. Semi-space
 * flags set at run time do not resize a heap that exists already; the growth factor is read on
 * every scavenge, so it does. An operator started with a semi-space size flag of its own is left
 * to it; a growth factor given at start is not (V8 clamps it then: measured on Node 24, start-up
 * `--semi-space-growth-factor=1` grew the young generation as the default does), so the operator
 * sets it again. Setting V8 flags after start is documented as unpredictable: re-measure (decision
 * 0008) on every Node upgrade.
 */
export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

export function hasSemiSpaceFlag(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return flags.some((f) => /^--(max|min)[-_]semi[-_]space[-_]size\b/.test(f));
}

if (!hasSemiSpaceFlag(process.execArgv, process.env['NODE_OPTIONS']))
  setFlagsFromString(YOUNG_GENERATION_FLAG);
