import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../operator/src/controller.ts';
import { invalidCanaries, type InvalidExample } from '../../unit/api/invalid-canaries.ts';
import {
  invalidAlertProviders,
  invalidMetricTemplates,
  validAlertProviders,
  validMetricTemplate,
} from '../../unit/api/provider-examples.ts';
import { example, validExamples } from '../../unit/api/valid-canaries.ts';
import { waitFor } from '../../env/wait.ts';
import { installFledgeCrds } from '../crds.ts';
import { statusCode, statusMessage, testKubeConfig, testNamespace } from '../support.ts';

// Every admission rule, applied to the real API server: the CRD's OpenAPI schema and CEL rules
// must refuse each invalid object with a message that names the field, for every client.
const plural = (kind: unknown) =>
  ({ Canary: 'canaries', MetricTemplate: 'metrictemplates', AlertProvider: 'alertproviders' })[
    String(kind)
  ] ?? '';

describe('admission on the real API server', () => {
  const kc = testKubeConfig();
  const objects = kc.makeApiClient(CustomObjectsApi);
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  const create = (obj: Record<string, unknown>) =>
    objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: plural(obj['kind']),
      body: { ...obj, metadata: { ...(obj['metadata'] as object), namespace: ns.name } },
    });

  beforeAll(async () => {
    ns = await testNamespace(kc, 'admission');
    await installFledgeCrds(kc);
    // The first create after a CRD is established can race discovery; retry one valid object.
    await waitFor('canaries to be served', async () => {
      await create({ ...example(validExamples[0]!.name), metadata: { name: 'discovery-probe' } });
      return true;
    });
  });
  afterAll(async () => ns?.remove());

  it.each(validExamples.map((e, i) => [e.name, i] as const))('accepts %s', async (name, i) => {
    const created = (await create({ ...example(name), metadata: { name: `valid-${i}` } })) as {
      metadata: { uid?: string };
    };
    expect(created.metadata.uid).toBeTruthy();
  });

  it.each(
    [validMetricTemplate, ...validAlertProviders].map(
      (o) => [String((o['metadata'] as { name: string }).name), o] as const,
    ),
  )('accepts %s', async (_name, obj) => {
    const created = (await create(obj)) as { metadata: { uid?: string } };
    expect(created.metadata.uid).toBeTruthy();
  });

  const rejects = async (invalid: InvalidExample) => {
    const err = await create(invalid.object).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `${invalid.name} was accepted`).toBeDefined();
    expect(statusCode(err)).toBe(422);
    const message = statusMessage(err);
    expect(message).toContain(invalid.expectField);
    if (invalid.expectMessage) expect(message).toContain(invalid.expectMessage);
  };

  it.each(invalidCanaries.map((e) => [e.name, e] as const))('rejects a Canary: %s', async (_name, invalid) =>
    rejects(invalid),
  );
  it.each([...invalidMetricTemplates, ...invalidAlertProviders].map((e) => [e.name, e] as const))(
    'rejects: %s',
    async (_name, invalid) => rejects(invalid),
  );
});
