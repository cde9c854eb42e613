import { describe, expect, it } from 'vitest';
import { unpromotable } from '../../../operator/src/reconcile/outbox.ts';
import { REVISION_ANNOTATION } from '../../../operator/src/workloads/primary.ts';

const primaryAt = (revision: string) => ({ metadata: { annotations: { [REVISION_ANNOTATION]: revision } } });
const promote = { type: 'promote', params: { revision: 'r1' } } as const;

describe('unpromotable', () => {
  it('is a promote whose revision neither the target nor the primary has any more', () => {
    expect(unpromotable(promote, { revision: 'r2', primary: primaryAt('r0') })).toBe(true);
  });
  it('is not when the promote can still be applied, or already was', () => {
    expect(unpromotable(promote, { revision: 'r1', primary: primaryAt('r0') })).toBe(false);
    expect(unpromotable(promote, { revision: 'r2', primary: primaryAt('r1') })).toBe(false);
    expect(
      unpromotable({ type: 'scaleCanary', params: { replicas: 0 } }, { revision: 'r2', primary: undefined }),
    ).toBe(false);
  });
});
