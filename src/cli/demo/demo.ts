import { builtinFactories } from '../../components.js';
import { loadConfigFile, type FaultlineConfig } from '../../config/load.js';
import { splitEndpoint } from '../../config/units.js';
import { Daemon } from '../../service/daemon.js';
import { AGENT_TRACES, FAILURES } from '../../storage/tables.js';
import { resolveConfigPath } from '../config-path.js';
import { UsageError } from '../errors.js';
import { Progress } from '../progress.js';
import { SCENARIOS, scenarioRequest } from './scenarios.js';

/** Longest wait for trace-level failures, beyond the configured decision_wait. */
const EXTRA_WAIT_MS = 20_000;

const localUrl = (endpoint: string) => {
  const { host, port } = splitEndpoint(endpoint);
  return `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
};

/**
 * `faultline demo`: sends sample agent runs as OTLP to a daemon (starting one in this process
 * when none answers), waits for their traces to be assembled and classified, and prints the
 * captured failures.
 */
export async function demoCommand(options: { config?: string }): Promise<void> {
  const config = loadConfigFile(resolveConfigPath(options.config), builtinFactories);
  const adminUrl = localUrl(config.admin.endpoint);
  const otlpUrl = `${localUrl(otlpHttpEndpoint(config))}/v1/traces`;
  const daemon = (await answers(`${adminUrl}/healthz`))
    ? undefined
    : new Daemon(config, { logLevel: 'warn' });
  if (daemon) {
    process.stderr.write('No daemon is running: starting one for the demo…\n');
    await daemon.start();
  }
  try {
    const traceIds = [];
    for (const scenario of SCENARIOS) {
      const { traceId, body } = scenarioRequest(scenario);
      const response = await fetch(otlpUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      if (!response.ok)
        throw new Error(
          `the daemon refused the demo spans (HTTP ${response.status}): ${await response.text()}`,
        );
      traceIds.push(traceId);
      process.stdout.write(`sent ${scenario.title} (trace ${traceId})\n`);
    }
    const inList = traceIds.map((id) => `'${id}'`).join(',');
    const waitMs = assembleDecisionWait(config) + EXTRA_WAIT_MS;
    const progress = new Progress('waiting for the traces to be assembled and classified', waitMs);
    const started = Date.now();
    for (;;) {
      // Every scenario fails somewhere, and traces and failures are inserted from separate
      // queues: wait until both tables hold every trace, or trace-level failures may be missed.
      const traces = Number(
        (
          await query(
            adminUrl,
            config,
            `SELECT least(
               (SELECT count() FROM ${AGENT_TRACES.in(config.storage.database)} FINAL WHERE TraceId IN (${inList})),
               (SELECT uniqExact(TraceId) FROM ${FAILURES.in(config.storage.database)} WHERE TraceId IN (${inList})))`,
            'TSV',
          )
        ).trim(),
      );
      progress.update(Date.now() - started, `${traces}/${traceIds.length} traces`);
      if (traces === traceIds.length || Date.now() - started > waitMs) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    progress.done();
    process.stdout.write(
      await query(
        adminUrl,
        config,
        `SELECT ServiceName AS service, Class AS class, Severity AS severity, substring(Signature, 1, 12) AS signature,
                StepType AS step, Message AS message
         FROM ${FAILURES.in(config.storage.database)} FINAL WHERE TraceId IN (${inList})
         ORDER BY service, Timestamp, class`,
        process.stdout.isTTY ? 'PrettyCompact' : 'TSVWithNames',
      ),
    );
    process.stdout.write(
      `\nReview them: GET ${adminUrl}/api/v1/traces/<trace id>, or faultline query "SELECT … FROM ${FAILURES.in(config.storage.database)} FINAL"\n`,
    );
  } finally {
    await daemon?.stop();
  }
}

function otlpHttpEndpoint(config: FaultlineConfig): string {
  for (const receiver of config.components.receivers) {
    const http = (receiver.config as { protocols?: { http?: { endpoint: string } } }).protocols
      ?.http;
    if (receiver.type === 'otlp' && http) return http.endpoint;
  }
  throw new UsageError(
    'the demo sends OTLP/HTTP: enable receivers.otlp.protocols.http in the config',
  );
}

function assembleDecisionWait(config: FaultlineConfig): number {
  const assemble = config.components.processors.find((p) => p.type === 'assemble');
  return (assemble?.config as { decision_wait?: number } | undefined)?.decision_wait ?? 0;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function query(
  adminUrl: string,
  config: FaultlineConfig,
  sql: string,
  format: string,
): Promise<string> {
  const token = config.admin.bearer_token;
  const response = await fetch(`${adminUrl}/api/v1/query`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ sql, format }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`query failed (HTTP ${response.status}): ${text}`);
  return text;
}
