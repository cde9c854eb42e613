import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../operator/src/controller.ts';
import { waitFor } from '../../env/wait.ts';
import { startReceiver, type Received } from './receiver.ts';
import { operatorEnv, type OperatorEnv } from './setup.ts';

/** The alert text of a Slack or generic payload. */
const textOf = (r: Received): string => {
  const attachments = r.body['attachments'] as Array<{ text: string }> | undefined;
  return attachments ? (attachments[0]?.text ?? '') : String(r.body['message']);
};

const NEW_REVISION = 'New revision detected, progressing canary analysis.';
const SUCCEEDED = 'Canary analysis completed successfully, promotion finished.';
const FAILED = 'Canary failed: failed checks threshold reached 2/2.';

// Alerts of a real operator to loopback receivers: an `info` entry (Slack format, address in the
// AlertProvider) gets every notification, an `error` entry (generic, address in a Secret) only
// failures; a receiver answering 500 and a missing AlertProvider never hold the release.
describe('operator: alerts', () => {
  let env: OperatorEnv;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let metricsUrl = '';
  let logs: () => string = () => '';
  let waitForLog: (pattern: RegExp) => Promise<void> = async () => {};
  const at = (path: string) => receiver.received.filter((r) => r.path === path);

  const createProvider = (name: string, spec: Record<string, unknown>) =>
    env.f.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: env.ns,
      plural: 'alertproviders',
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'AlertProvider', metadata: { name }, spec },
    });

  beforeAll(async () => {
    env = await operatorEnv('alerts');
    receiver = await startReceiver();
    await createProvider('chat', {
      type: 'slack',
      address: `${receiver.base}/info`,
      channel: 'releases',
      username: 'fledge',
    });
    await env.f.core.createNamespacedSecret({
      namespace: env.ns,
      body: { metadata: { name: 'pager-url' }, stringData: { address: `${receiver.base}/error` } },
    });
    await createProvider('pager', { type: 'generic', secretRef: { name: 'pager-url' } });
    await createProvider('broken', { type: 'generic', address: `${receiver.base}/fail` });
    const op = await env.startOperator();
    metricsUrl = op.metricsUrl;
    logs = op.logs;
    waitForLog = op.waitForLog;
    await env.release(
      'web',
      env.canarySpec('web', {
        alerts: [
          { name: 'chat', severity: 'info', providerRef: { name: 'chat' } },
          { name: 'pager', severity: 'error', providerRef: { name: 'pager', namespace: env.ns } },
          { name: 'broken', providerRef: { name: 'broken' } },
          { name: 'missing', severity: 'warn', providerRef: { name: 'missing' } },
        ],
      }),
    );
    await waitFor('the initialization alert', () => at('/info').length > 0);
  });
  afterAll(async () => {
    receiver?.server.close();
    await env?.teardown();
  });

  it('sends a promoted release to the info receiver only, in Slack format', async () => {
    receiver.received.length = 0;
    await env.f.setImage('web', 'example/web:2');
    await env.f.waitForStatus('web', 'Succeeded', (s) => s.phase === 'Succeeded');
    await waitFor('the success alert', () => at('/info').some((r) => textOf(r) === SUCCEEDED));
    const texts = at('/info').map(textOf);
    expect(texts.indexOf(NEW_REVISION)).toBeGreaterThanOrEqual(0);
    expect(texts.indexOf(NEW_REVISION)).toBeLessThan(texts.indexOf(SUCCEEDED));
    expect(at('/info')[0]?.body).toMatchObject({
      channel: 'releases',
      username: 'fledge',
      attachments: [
        {
          color: 'good',
          author_name: `web.${env.ns}`,
          fields: expect.arrayContaining([
            { title: 'Target', value: `Deployment/web.${env.ns}`, short: false },
          ]),
        },
      ],
    });
    expect(at('/error')).toEqual([]);
    // The receiver that answers 500 was tried, and the release went on regardless.
    expect(at('/fail').length).toBeGreaterThan(0);
  });

  it('sends a rolled-back release as an error to both receivers', async () => {
    receiver.received.length = 0;
    env.setSuccessRate('web', 50);
    await env.prometheus.waitForSeries(`test_success_rate{namespace="${env.ns}",target="web"} == 50`);
    await env.f.setImage('web', 'example/web:3');
    await env.f.waitForStatus('web', 'Failed', (s) => s.phase === 'Failed');
    await waitFor(
      'the failure alerts',
      () => at('/error').length > 0 && at('/info').some((r) => textOf(r) === FAILED),
    );
    expect(at('/error').map((r) => r.body)).toEqual(
      at('/error').map(() => ({
        name: 'web',
        namespace: env.ns,
        phase: 'Failed',
        severity: 'error',
        message: FAILED,
        metadata: expect.objectContaining({ target: `Deployment/web.${env.ns}`, failedChecksThreshold: '2' }),
      })),
    );
    expect(at('/info').find((r) => textOf(r) === FAILED)?.body).toMatchObject({
      attachments: [{ color: 'danger' }],
    });
  });

  it('shows a missing AlertProvider on the Canary, counts failures, never logs an address', async () => {
    const events = await env.f.events('web');
    expect(events.filter((e) => e.reason === 'AlertNotSent').map((e) => [e.type, e.message])).toEqual([
      ['Warning', `Alert missing not sent: AlertProvider ${env.ns}/missing not found`],
    ]);
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    const count = (labels: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(`fledge_alerts_total{${labels}}`))
          ?.split(' ')
          .at(-1),
      );
    expect(count('type="slack",result="sent"')).toBeGreaterThanOrEqual(4);
    expect(count('type="generic",result="failed"')).toBeGreaterThanOrEqual(3);
    expect(count('type="unknown",result="unresolved"')).toBeGreaterThanOrEqual(1);
    await waitForLog(/alert not delivered: generic: HTTP 500/);
    expect(logs()).not.toContain(receiver.base);
  });
});
