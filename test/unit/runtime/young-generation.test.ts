import { describe, expect, it } from 'vitest';
import { hasSemiSpaceFlag } from '../../../operator/src/runtime/young-generation.ts';

describe('young generation sizing', () => {
  it('leaves V8 alone when the operator was started with a semi-space flag', () => {
    expect(hasSemiSpaceFlag(['--max-semi-space-size=16'], undefined)).toBe(true);
    expect(hasSemiSpaceFlag([], '--inspect --max_semi_space_size=8')).toBe(true);
    expect(hasSemiSpaceFlag([], '--min-semi-space-size=1')).toBe(true);
  });

  it('applies its own flag otherwise, including for look-alike flags', () => {
    expect(hasSemiSpaceFlag([], undefined)).toBe(false);
    expect(hasSemiSpaceFlag(['--max-old-space-size=256'], '--enable-source-maps')).toBe(false);
    expect(hasSemiSpaceFlag([], '--max-semi-space-sizes-are-not-a-flag')).toBe(false);
    // V8 clamps a growth factor given at start, so the operator sets it again.
    expect(hasSemiSpaceFlag(['--semi-space-growth-factor=1'], '')).toBe(false);
  });
});
