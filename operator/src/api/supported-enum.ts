import { z } from 'zod';
import { withCel } from './cel.ts';

/**
 * An enum where Flagger knows more values than fledge supports. zod narrows the TypeScript type
 * to the supported values; the CRD lists every Flagger spelling and a CEL rule refuses the rest,
 * so a Flagger user reads "provider istio is not supported yet" instead of "Unsupported value".
 */
export function supportedEnum<const S extends readonly [string, ...string[]]>(
  supported: S,
  flaggerOnly: readonly string[],
  what: string,
) {
  const list = supported.join(', ');
  const quoted = supported.map((s) => `'${s}'`).join(', ');
  const named = (v: unknown) => `${what} ${String(v)} is not supported yet by fledge (supported: ${list})`;
  return withCel(
    z
      .enum(supported, { error: (iss) => (iss.input === undefined ? undefined : named(iss.input)) })
      // maxLength bounds the CEL cost of the rule below; the enum alone does not.
      .meta({ enum: [...supported, ...flaggerOnly], maxLength: 64 }),
    [
      {
        rule: `self in [${quoted}]`,
        message: `${what} is not supported yet by fledge (supported: ${list})`,
        messageExpression: `'${what} ' + self + ' is not supported yet by fledge (supported: ${list})'`,
      },
    ],
  );
}
