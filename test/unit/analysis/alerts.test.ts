import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  alertRequest,
  discordSlackUrl,
  receives,
  sendAlert,
  type AlertDestination,
  type AlertMessage,
  type AlertSeverity,
} from '../../../analysis/src/alerts.ts';
import type { Canary } from '../../../operator/src/api/index.ts';
import {
  deliverAlert,
  resolveDestination,
  type AlertSources,
} from '../../../operator/src/reconcile/alerts.ts';
import { scriptedReceiver } from '../support/scripted-receiver.ts';
import { testCanary } from '../support/canary.ts';

const message: AlertMessage = {
  name: 'web',
  namespace: 'shop',
  phase: 'Failed',
  severity: 'error',
  message: 'Canary failed: failed checks threshold reached 2/2.',
  fields: [{ key: 'target', title: 'Target', value: 'Deployment/web.shop' }],
};
const SECRET_URL = 'https://hooks.example.com/secret-token';

describe('alert severity', () => {
  // Rows: entry severity, then which alert severities it receives.
  it.each([
    ['info', { info: true, warn: true, error: true }],
    ['warn', { info: false, warn: true, error: true }],
    ['error', { info: false, warn: false, error: true }],
  ] as const)('an %s entry receives %o', (entry, expected) => {
    for (const alert of ['info', 'warn', 'error'] as const)
      expect(receives(entry, alert)).toBe(expected[alert]);
  });
});

describe('alert payloads', () => {
  const dest = (type: AlertDestination['type'], extra: Partial<AlertDestination> = {}): AlertDestination => ({
    type,
    address: 'https://hooks.example.com/services/T/B/X',
    ...extra,
  });
  it.each([
    [
      'slack with channel and username',
      dest('slack', { channel: 'on-call', username: 'fledge' }),
      'https://hooks.example.com/services/T/B/X',
      {
        channel: 'on-call',
        username: 'fledge',
        icon_emoji: ':rocket:',
        attachments: [
          {
            color: 'danger',
            author_name: 'web.shop',
            fallback: 'web.shop: Canary failed: failed checks threshold reached 2/2.',
            text: 'Canary failed: failed checks threshold reached 2/2.',
            mrkdwn_in: ['text'],
            fields: [{ title: 'Target', value: 'Deployment/web.shop', short: false }],
          },
        ],
      },
    ],
    [
      'discord: Slack format on the /slack endpoint',
      dest('discord', { address: 'https://discord.com/api/webhooks/1/abc' }),
      'https://discord.com/api/webhooks/1/abc/slack',
      expect.objectContaining({ attachments: [expect.objectContaining({ color: 'danger' })] }),
    ],
    [
      'msteams MessageCard',
      dest('msteams'),
      'https://hooks.example.com/services/T/B/X',
      {
        '@type': 'MessageCard',
        '@context': 'http://schema.org/extensions',
        themeColor: 'FF0000',
        summary: 'web.shop',
        sections: [
          {
            activityTitle: 'Canary failed: failed checks threshold reached 2/2.',
            activitySubtitle: 'web.shop',
            facts: [{ name: 'Target', value: 'Deployment/web.shop' }],
          },
        ],
      },
    ],
    [
      'generic JSON',
      dest('generic'),
      'https://hooks.example.com/services/T/B/X',
      {
        name: 'web',
        namespace: 'shop',
        phase: 'Failed',
        severity: 'error',
        message: 'Canary failed: failed checks threshold reached 2/2.',
        metadata: { target: 'Deployment/web.shop' },
      },
    ],
  ])('%s', (_name, d, url, body) => {
    expect(alertRequest(d, message)).toEqual({ url, body });
  });

  it('slack omits channel and username when the provider has none', () => {
    const { body } = alertRequest(dest('slack'), { ...message, severity: 'info' });
    expect(body).not.toHaveProperty('channel');
    expect(body).not.toHaveProperty('username');
    expect(body).toMatchObject({ attachments: [{ color: 'good' }] });
  });

  const hook = 'https://discord.com/api/webhooks/1/abc';
  it.each([
    ['appends /slack', hook, `${hook}/slack`],
    ['keeps a /slack path', `${hook}/slack`, `${hook}/slack`],
    ['drops a trailing slash', `${hook}/`, `${hook}/slack`],
    ['keeps the query', `${hook}?wait=true`, `${hook}/slack?wait=true`],
  ])('discord address: %s', (_name, address, expected) => {
    expect(discordSlackUrl(address)).toBe(expected);
  });
});

describe('sendAlert', () => {
  const { answers, bodies, url: receiverUrl } = scriptedReceiver('/secret-token');

  it.each([
    ['a 2xx is delivered', 200, true, 'generic: HTTP 200'],
    ['a 5xx is not', 503, false, 'generic: HTTP 503'],
  ])('%s', async (_name, status, ok, text) => {
    answers.push(status);
    bodies.length = 0;
    const outcome = await sendAlert({ type: 'generic', address: receiverUrl() }, message, {
      timeoutMs: 2000,
    });
    expect(outcome).toEqual({ ok, message: text });
    expect(bodies).toEqual([expect.objectContaining({ name: 'web', severity: 'error' })]);
  });

  it.each([
    ['unreachable', 'http://127.0.0.1:1/secret-token', 'slack: request failed'],
    ['not a URL', 'secret-token', 'slack: invalid address'],
  ])('never throws and never names the address: %s', async (_name, address, text) => {
    const outcome = await sendAlert({ type: 'slack', address }, message, { timeoutMs: 500 });
    expect(outcome).toEqual({ ok: false, message: text });
    expect(outcome.message).not.toContain('secret-token');
  });
});

// The operator side: which provider and address an alert entry resolves to, and what is sent.
describe('alert resolution and delivery', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const canary = (alerts: unknown[]): Canary =>
    testCanary({ interval: '1m', stepWeight: 20, maxWeight: 60, threshold: 2, alerts });
  const providers: Record<string, unknown> = {
    'shop/addr': { type: 'slack', address: 'https://hooks.example.com/addr', channel: 'c' },
    'shop/sec': { type: 'generic', address: 'https://hooks.example.com/ignored', secretRef: { name: 's' } },
    'ops/sec': { type: 'msteams', secretRef: { name: 's' } },
    'shop/nokey': { type: 'generic', secretRef: { name: 'empty' } },
    'shop/nosecret': { type: 'generic', secretRef: { name: 'gone' } },
    'shop/bad': { type: 'rocket', address: 'https://x' },
    'shop/notaurl': { type: 'generic', secretRef: { name: 'junk' } },
  };
  const secrets: Record<string, Record<string, string>> = {
    'shop/s': { address: b64(`${SECRET_URL}\n`) },
    'ops/s': { address: b64(SECRET_URL) },
    'shop/empty': {},
    'shop/junk': { address: b64('hooks.example.com/secret-token') },
  };
  const counted: string[] = [];
  const sources: AlertSources = {
    alertProvider: (ns, n) => (providers[`${ns}/${n}`] ? { spec: providers[`${ns}/${n}`] } : undefined),
    secret: (ns, n) => Promise.resolve(secrets[`${ns}/${n}`] ? { data: secrets[`${ns}/${n}`] } : undefined),
    count: (type, result) => counted.push(`${type}:${result}`),
  };
  const entry = (name: string, namespace?: string) => ({
    name: 'a',
    severity: 'info' as const,
    providerRef: { name, ...(namespace ? { namespace } : {}) },
  });

  const found = (type: string, address: string) => ({
    ok: true,
    dest: expect.objectContaining({ type, address }),
  });
  const refused = (type: string, problem: string) => ({ ok: false, type, problem });
  it.each([
    ['spec.address', entry('addr'), found('slack', 'https://hooks.example.com/addr')],
    ['the Secret wins over spec.address', entry('sec'), found('generic', SECRET_URL)],
    ['provider and Secret in providerRef.namespace', entry('sec', 'ops'), found('msteams', SECRET_URL)],
    ['missing provider', entry('gone'), refused('unknown', 'AlertProvider shop/gone not found')],
    ['invalid provider', entry('bad'), refused('unknown', 'AlertProvider shop/bad is invalid')],
    [
      'missing Secret',
      entry('nosecret'),
      refused('generic', 'Secret shop/gone of AlertProvider shop/nosecret not found'),
    ],
    [
      'Secret without address',
      entry('nokey'),
      refused('generic', 'Secret shop/empty of AlertProvider shop/nokey has no address key'),
    ],
    [
      'Secret address not a URL',
      entry('notaurl'),
      refused('generic', 'Secret shop/junk of AlertProvider shop/notaurl: address is not an http(s) URL'),
    ],
  ])('%s', async (_name, e, expected) => {
    expect(await resolveDestination(e, 'shop', sources)).toEqual(expected);
  });

  it.each([
    ['info', ['to-info']],
    ['warn', ['to-info', 'to-warn']],
    ['error', ['to-info', 'to-warn', 'to-error']],
  ] as const)(
    'a %s alert reaches %j; a missing provider is a Warning Event, never a throw',
    async (severity: AlertSeverity, reached) => {
      counted.length = 0;
      const sent: string[] = [];
      const events: string[] = [];
      const c = canary([
        { name: 'to-info', severity: 'info', providerRef: { name: 'addr' } },
        { name: 'to-warn', severity: 'warn', providerRef: { name: 'sec' } },
        { name: 'to-error', severity: 'error', providerRef: { name: 'addr' } },
        { name: 'broken', severity: 'info', providerRef: { name: 'gone' } },
      ]);
      await deliverAlert(
        { severity, message: 'hello' },
        {
          canary: c,
          phase: 'Progressing',
          log: pino({ level: 'silent' }),
          events: { record: async (_o, type, reason, msg) => void events.push(`${type}/${reason}/${msg}`) },
          alerts: {
            ...sources,
            send: async (dest, m) => {
              sent.push(`${dest.type}:${m.severity}:${m.message}`);
              expect(m.fields.map((f) => f.value)).toEqual([
                'Deployment/web.shop',
                '2',
                '600s',
                'Weight step: 20 max: 60',
              ]);
              return { ok: dest.type !== 'generic', message: 'x' };
            },
          },
        },
      );
      expect(sent).toHaveLength(reached.length);
      expect(events).toEqual([
        'Warning/AlertNotSent/Alert broken not sent: AlertProvider shop/gone not found',
      ]);
      expect(counted.sort()).toEqual(
        [
          'unknown:unresolved',
          ...reached.map((r) => (r === 'to-warn' ? 'generic:failed' : 'slack:sent')),
        ].sort(),
      );
    },
  );
});
