import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './ports.ts';
import { startProcess, stopProcess, type Started } from './proc.ts';
import { waitFor } from './wait.ts';

export interface ScrapeTarget {
  job: string;
  /** host:port pairs; only 127.0.0.1 is allowed, tests never reach beyond loopback. */
  targets: string[];
  metricsPath?: string;
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  scrape: ScrapeTarget[];
  scrapeIntervalSeconds?: number;
  parentDir?: string;
}

export interface Prometheus {
  url: string;
  dir: string;
  /** Instant query; returns the samples of a vector result as [labels, value]. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Resolves once `promql` returns at least one sample. */
  waitForSeries(promql: string, timeoutMs?: number): Promise<void>;
  /** Replaces the scrape targets and reloads the configuration. */
  setTargets(scrape: ScrapeTarget[]): Promise<void>;
  /** Stops the server but keeps its data and port, so `resume` brings the same Prometheus back. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function prometheusBinary(): string {
  const fromEnv = process.env['FLEDGE_PROMETHEUS'];
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('bash', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "prometheus is not installed: run 'apt-get install -y prometheus' (test/env/prereqs.sh does it)",
    );
  }
}

function configYaml(scrape: ScrapeTarget[], intervalSeconds: number): string {
  for (const s of scrape) {
    for (const t of s.targets) {
      if (!t.startsWith('127.0.0.1:')) throw new Error(`scrape target ${t} is not on 127.0.0.1`);
    }
  }
  return stringify({
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
    scrape_configs: scrape.map((s) => ({
      job_name: s.job,
      metrics_path: s.metricsPath ?? '/metrics',
      static_configs: [{ targets: s.targets, labels: s.labels ?? {} }],
    })),
  });
}

/** Starts Debian's Prometheus on a free 127.0.0.1 port with a short scrape interval. */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const interval = options.scrapeIntervalSeconds ?? 1;
  const parent = options.parentDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'fledge-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, configYaml(options.scrape, interval));
  const binary = prometheusBinary();
  let proc: Started | undefined;

  const resume = async () => {
    proc = startProcess(
      'prometheus',
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=2h',
      ],
      join(dir, 'prometheus.log'),
      dir,
    );
    await waitFor('prometheus /-/ready', async () => (await fetch(`${url}/-/ready`)).ok, {
      timeoutMs: 30_000,
    });
  };
  const pause = async () => {
    if (proc) await stopProcess(proc.pid);
    proc = undefined;
  };

  const query: Prometheus['query'] = async (promql) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: {
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      };
    };
    if (body.status !== 'success' || !body.data)
      throw new Error(`prometheus query failed: ${body.error ?? res.status}`);
    if (body.data.resultType !== 'vector') throw new Error(`expected a vector, got ${body.data.resultType}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  try {
    await resume();
  } catch (err) {
    await pause();
    throw err;
  }
  return {
    url,
    dir,
    query,
    waitForSeries: async (promql, timeoutMs = 30_000) => {
      await waitFor(`series ${promql}`, async () => (await query(promql)).length > 0, {
        timeoutMs,
        intervalMs: 250,
      });
    },
    setTargets: async (scrape) => {
      await writeFile(configFile, configYaml(scrape, interval));
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`prometheus reload failed: ${res.status} ${await res.text()}`);
    },
    pause,
    resume,
    stop: async () => {
      await pause();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
