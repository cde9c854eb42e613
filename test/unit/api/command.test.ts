import { describe, expect, it } from 'vitest';
import {
  COMMAND_ANNOTATION,
  commandAnnotation,
  commandId,
  parseCanary,
  readCommand,
} from '../../../operator/src/api/index.ts';
import { example } from './valid-canaries.ts';

describe('the command annotation', () => {
  it('reads what the CLI writes, with an id that is the hash of the exact text', () => {
    const raw = commandAnnotation({
      verb: 'promote',
      revision: 'abc',
      full: true,
      at: '2026-12-02T00:00:00Z',
    });
    const read = readCommand({ [COMMAND_ANNOTATION]: raw });
    expect(read).toEqual({
      id: commandId(raw),
      ok: true,
      command: { verb: 'promote', revision: 'abc', full: true, at: '2026-12-02T00:00:00Z' },
    });
    // The same command issued again later is a new command.
    const again = commandAnnotation({
      verb: 'promote',
      revision: 'abc',
      full: true,
      at: '2026-12-02T00:00:01Z',
    });
    expect(readCommand({ [COMMAND_ANNOTATION]: again })?.id).not.toBe(read?.id);
  });

  it('no annotation is no command', () => {
    expect(readCommand({ other: 'x' })).toBeUndefined();
    expect(readCommand(undefined)).toBeUndefined();
  });

  it.each([
    ['not JSON', 'promote', /is not JSON/],
    ['an unknown verb', '{"verb":"explode","revision":"a"}', /verb: /],
    ['no revision', '{"verb":"abort"}', /revision: /],
    ['an unknown field', '{"verb":"abort","revision":"a","force":true}', /force/],
  ])('refuses %s, naming the annotation', (_what, raw, message) => {
    const read = readCommand({ [COMMAND_ANNOTATION]: raw });
    expect(read?.ok).toBe(false);
    expect(read && !read.ok ? read.error : '').toMatch(message);
    expect(read && !read.ok ? read.error : '').toContain(COMMAND_ANNOTATION);
  });
});

describe('manual gates', () => {
  it('a confirm-* webhook without url is a manual gate', () => {
    const obj = example('gatewayapi canary release');
    const spec = obj['spec'] as { analysis: { webhooks?: unknown[] } };
    spec.analysis.webhooks = [
      { name: 'go', type: 'confirm-rollout' },
      { name: 'more', type: 'confirm-traffic-increase' },
      { name: 'ship', type: 'confirm-promotion' },
    ];
    expect(parseCanary(obj).ok).toBe(true);
  });
});
