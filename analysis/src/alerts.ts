/**
 * Alerts to chat and webhook providers, as Flagger sends them: pure payload builders per provider
 * type, and one `sendAlert` that POSTs the payload. The provider's address is a credential (a Slack
 * or Teams webhook URL is enough to post): it is never logged and never put into an outcome.
 */
export const alertSeverities = ['info', 'warn', 'error'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];
export type AlertProviderType = 'slack' | 'msteams' | 'discord' | 'generic';

/** One fact shown with the message: a Slack field, a Teams fact, a generic metadata entry. */
export interface AlertField {
  /** Key in the generic payload's metadata (camelCase). */
  key: string;
  /** Title shown by chat providers. */
  title: string;
  value: string;
}

/** What happened to which canary; the same for every provider. */
export interface AlertMessage {
  name: string;
  namespace: string;
  phase: string;
  severity: AlertSeverity;
  message: string;
  fields: readonly AlertField[];
}

export interface AlertDestination {
  type: AlertProviderType;
  /** The webhook URL. A credential: never logged, never in an outcome. */
  address: string;
  channel?: string | undefined;
  username?: string | undefined;
}

export interface AlertOutcome {
  ok: boolean;
  /** Why it failed (or `HTTP 200`), without the address. */
  message: string;
}

const rank: Record<AlertSeverity, number> = { info: 0, warn: 1, error: 2 };

/**
 * Whether an alert entry of severity `entry` receives a notification of severity `alert`: an
 * `info` entry receives everything, `warn` receives warn and error, `error` only error.
 */
export function receives(entry: AlertSeverity, alert: AlertSeverity): boolean {
  return rank[alert] >= rank[entry];
}

const title = (m: AlertMessage) => `${m.name}.${m.namespace}`;

/** Slack incoming-webhook JSON (Flagger's shape): one coloured attachment with the fields. */
export function slackPayload(
  m: AlertMessage,
  opts: { channel?: string | undefined; username?: string | undefined },
) {
  return {
    ...(opts.channel ? { channel: opts.channel } : {}),
    ...(opts.username ? { username: opts.username } : {}),
    icon_emoji: ':rocket:',
    attachments: [
      {
        color: m.severity === 'error' ? 'danger' : m.severity === 'warn' ? 'warning' : 'good',
        author_name: title(m),
        fallback: `${title(m)}: ${m.message}`,
        text: m.message,
        mrkdwn_in: ['text'],
        fields: m.fields.map((f) => ({ title: f.title, value: f.value, short: false })),
      },
    ],
  };
}

/** A Microsoft Teams MessageCard (Flagger's shape). */
export function teamsPayload(m: AlertMessage) {
  return {
    '@type': 'MessageCard',
    '@context': 'http://schema.org/extensions',
    themeColor: m.severity === 'error' ? 'FF0000' : m.severity === 'warn' ? 'FFA500' : '0076D7',
    summary: title(m),
    sections: [
      {
        activityTitle: m.message,
        activitySubtitle: title(m),
        facts: m.fields.map((f) => ({ name: f.title, value: f.value })),
      },
    ],
  };
}

/** fledge's own JSON for any webhook: the canary, its phase, the alert, the fields by key. */
export function genericPayload(m: AlertMessage) {
  return {
    name: m.name,
    namespace: m.namespace,
    phase: m.phase,
    severity: m.severity,
    message: m.message,
    metadata: Object.fromEntries(m.fields.map((f) => [f.key, f.value])),
  };
}

/**
 * Discord takes Slack's format on its webhook URL with `/slack` appended, which is what Flagger
 * posts to; an address that already ends in `/slack` is used as it is. The query is kept.
 */
export function discordSlackUrl(address: string): string {
  const url = new URL(address);
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/slack')) url.pathname = `${path}/slack`;
  return url.toString();
}

/** Where to POST what, for one destination. Pure; throws only on an address that is not a URL. */
export function alertRequest(dest: AlertDestination, m: AlertMessage): { url: string; body: unknown } {
  switch (dest.type) {
    case 'slack':
      return { url: dest.address, body: slackPayload(m, dest) };
    case 'discord':
      return { url: discordSlackUrl(dest.address), body: slackPayload(m, dest) };
    case 'msteams':
      return { url: dest.address, body: teamsPayload(m) };
    case 'generic':
      return { url: dest.address, body: genericPayload(m) };
    default: {
      const unreachable: never = dest.type;
      throw new Error(`unknown alert provider type ${String(unreachable)}`);
    }
  }
}

/**
 * POSTs one alert. Never throws: a non-2xx answer, a timeout, a refused connection or an invalid
 * address is `ok: false` with a message that names none of the address.
 */
export async function sendAlert(
  dest: AlertDestination,
  m: AlertMessage,
  opts: { timeoutMs: number },
): Promise<AlertOutcome> {
  let request: { url: string; body: unknown };
  try {
    request = alertRequest(dest, m);
    if (!/^https?:$/.test(new URL(request.url).protocol)) throw new Error('not http(s)');
  } catch {
    return { ok: false, message: `${dest.type}: invalid address` };
  }
  try {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
    await res.body?.cancel();
    return { ok: res.ok, message: `${dest.type}: HTTP ${res.status}` };
  } catch (err) {
    const why =
      err instanceof Error && err.name === 'TimeoutError'
        ? `timed out after ${opts.timeoutMs} ms`
        : 'request failed';
    return { ok: false, message: `${dest.type}: ${why}` };
  }
}
