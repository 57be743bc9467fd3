import { existsSync, writeFileSync } from 'node:fs';
import { builtinFactories } from '../components.js';
import { loadConfigFile } from '../config/load.js';
import { buildReport } from '../reports/build.js';
import type { Report } from '../reports/model.js';
import { reportPeriod, ReportPeriodError } from '../reports/period.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../reports/render.js';
import { createStore } from '../storage/open.js';
import { resolveConfigPath } from './config-path.js';
import { daemonUrl } from './daemon-url.js';
import { UsageError } from './errors.js';

export interface ReportOptions {
  config?: string;
  since?: string;
  format?: string;
  out?: string;
  /** Admin URL of a running daemon; by default the one in the config. */
  url?: string;
}

/**
 * `faultline report`: asks the running daemon for the report's figures when one answers (the
 * embedded engine holds its data directory), and otherwise opens the store and queries it
 * here, with a progress line on a terminal. Renders locally, to stdout or `--out`.
 */
export async function reportCommand(options: ReportOptions): Promise<void> {
  const format = (options.format ?? 'md') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    throw new UsageError(`unknown format "${format}": use one of ${REPORT_FORMATS.join(', ')}`);
  }
  const since = options.since ?? '7d';
  let bounds;
  try {
    bounds = reportPeriod(since);
  } catch (error) {
    throw error instanceof ReportPeriodError ? new UsageError(`--since: ${error.message}`) : error;
  }
  const config = loadConfigFile(resolveConfigPath(options.config), builtinFactories);
  const base = options.url ?? daemonUrl(config);
  const progress = new ProgressLine();
  let report: Report;
  try {
    progress.show('asking the daemon');
    const fromDaemon = await askDaemon(base, config.admin.bearer_token, since);
    if (fromDaemon) {
      report = fromDaemon;
    } else {
      if (options.url) throw new UsageError(`no Faultline daemon answers at ${options.url}`);
      const { storage } = config;
      if (storage.engine === 'embedded' && !existsSync(storage.path)) {
        throw new UsageError(
          `no daemon answers at ${base} and there is no data at ${storage.path}; start one with "faultline serve" or pass the daemon's --config`,
        );
      }
      const store = createStore(storage);
      await store.open();
      try {
        const scope = {
          database: storage.database,
          cluster: storage.cluster,
          archivePath: storage.archive.path,
        };
        report = await buildReport(store, scope, bounds, (step, steps, section) =>
          progress.show(`querying ${section} (${step}/${steps})`),
        );
      } finally {
        await store.close();
      }
    }
  } finally {
    progress.done();
  }
  const text = renderReport(report, format);
  if (options.out) writeFileSync(options.out, text);
  else process.stdout.write(text);
}

/** The daemon's report as JSON, or undefined when no daemon is listening. */
async function askDaemon(base: string, token: string, since: string): Promise<Report | undefined> {
  let response: Response;
  try {
    response = await fetch(
      `${base}/api/v1/reports?since=${encodeURIComponent(since)}&format=json`,
      {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      },
    );
  } catch {
    return undefined;
  }
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as Report;
  let message = text;
  try {
    message = (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    // not a Faultline error body; show it as it came
  }
  throw new UsageError(`report refused (HTTP ${response.status}): ${message}`);
}

/** One line on a terminal's stderr, redrawn in place; nothing when stderr is not a terminal. */
class ProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);

  show(text: string): void {
    if (this.tty) process.stderr.write(`\r\x1b[2Kreport: ${text}…`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\r\x1b[2K');
  }
}
