import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentDaemon } from '../helpers/agent-traces.js';
import { sendAgentSpans } from '../helpers/alert-spans.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * The Grafana dashboard's SQL, taken from its JSON, run on the embedded engine (through a
 * spawned daemon's read-only query API) after real OTel SDK spans were stored. Grafana's
 * ClickHouse macros are expanded as the plugin would for the last hour.
 */
const DASHBOARD = new URL('../../config/grafana/dashboards/agent-health.json', import.meta.url);

interface Panel {
  title: string;
  targets: { rawSql: string }[];
}

const expandMacros = (sql: string): string =>
  sql
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      '$1 >= now() - INTERVAL 1 HOUR AND $1 <= now() + INTERVAL 1 MINUTE',
    )
    .replace(
      /\$__timeInterval\(([^)]+)\)/g,
      'toStartOfInterval(toDateTime($1), INTERVAL 60 second)',
    );

describe('Grafana agent-health dashboard', () => {
  const panels = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels;
  let daemon: DaemonHandle;
  const results = new Map<string, Record<string, unknown>[]>();

  beforeAll(async () => {
    daemon = await startAgentDaemon();
    await sendAgentSpans(daemon, 'grafana-shop', 6, 2);
    await daemon.queryUntil<{ n: number }>(
      "SELECT count() AS n FROM faultline.otel_traces WHERE ServiceName = 'grafana-shop' AND StepType = 'llm_call'",
      (rows) => rows[0]?.n === 6,
    );
    for (const panel of panels) {
      results.set(panel.title, await daemon.query(expandMacros(panel.targets[0]!.rawSql)));
    }
  });
  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('has a query for calls, errors, failures by class, tokens, cost and latency', () => {
    expect(panels.map((p) => p.title)).toEqual([
      'Model calls',
      'Error rate of agent steps',
      'Failures by class',
      'Tokens',
      'Cost (USD)',
      'Model call latency',
      'Spend and failures by agent',
    ]);
    for (const panel of panels) expect(panel.targets[0]!.rawSql).toContain('$__timeFilter(');
  });

  it('answers each query from the stored spans', () => {
    const sum = (title: string, column: string) =>
      results.get(title)!.reduce((total, row) => total + Number(row[column]), 0);
    expect(sum('Model calls', 'calls')).toBe(6);
    expect(results.get('Error rate of agent steps')!.length).toBeGreaterThan(0);
    expect(sum('Failures by class', 'failures')).toBe(2);
    expect(sum('Tokens', 'input')).toBe(6 * 12);
    expect(sum('Cost (USD)', 'cost')).toBeCloseTo((6 * (12 * 2.5 + 7 * 10)) / 1e6, 12);
    expect(results.get('Model call latency')!.length).toBeGreaterThan(0);
    expect(results.get('Spend and failures by agent')).toEqual([]);
  });
});
