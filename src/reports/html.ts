import {
  bytes,
  change,
  count,
  FIGURE_LABELS,
  htmlText as h,
  LATENCY_HEADERS,
  latencyCells,
  ms,
  percent,
  USAGE_HEADERS,
  usageCells,
  usd,
} from './format.js';
import type { LatencyRow, Report } from './model.js';
import { barChart, dailyChart } from './svg.js';

/**
 * The report as one self-contained HTML file: inline CSS and inline SVG charts, no script,
 * no external resource; every value from stored data is escaped.
 */
export function renderHtml(report: Report): string {
  const { period, performance, usage, health, trends, storage } = report;
  const p95 = (rows: LatencyRow[]) =>
    rows.slice(0, 10).map((r) => ({ label: r.name, value: r.p95Ms }));
  const body = [
    `<h1>Faultline report: last ${h(period.since)}</h1>`,
    `<p class="muted">${h(period.from)} to ${h(period.to)}, compared with the period from ${h(period.previousFrom)}.</p>`,
    section(
      'Recommendations',
      report.recommendations.length === 0
        ? '<p>Nothing stands out in this period.</p>'
        : `<ul>${report.recommendations.map((r) => `<li>${h(r.message)} <span class="source">from <code>${h(r.source)}</code></span></li>`).join('')}</ul>`,
    ),
    section(
      'Trends',
      [
        table(
          ['Figure', 'This period', 'Previous period', 'Change'],
          trends.figures.map((f) => {
            const { label, show } = FIGURE_LABELS[f.name]!;
            return [label, show(f.current), show(f.previous), change(f.change)];
          }),
        ),
        dailyChart(
          'Spans and errors per day',
          trends.daily.map((d) => d.day),
          [
            { name: 'spans', values: trends.daily.map((d) => d.spans), cls: 'bar' },
            { name: 'errors', values: trends.daily.map((d) => d.errors), cls: 'bad' },
          ],
        ),
      ].join(''),
    ),
    section(
      'Performance',
      [
        barChart('p95 latency by tool', p95(performance.tools), ms),
        barChart('p95 latency by model', p95(performance.models), ms),
        '<h3>Operations</h3>',
        latencyTable(performance.operations),
        '<h3>Models</h3>',
        latencyTable(performance.models),
        '<h3>Tools</h3>',
        latencyTable(performance.tools),
      ].join(''),
    ),
    section(
      'Usage',
      [
        barChart(
          'Cost by model',
          usage.models.slice(0, 10).map((m) => ({ label: m.name, value: m.costUsd })),
          usd,
        ),
        '<h3>By model</h3>',
        table(
          [
            'Model',
            'Spans',
            'LLM calls',
            'Input tokens',
            'Output tokens',
            'Cost',
            'Per successful trace',
          ],
          usage.models.map((m) => [
            m.name,
            count(m.spans),
            count(m.llmCalls),
            count(m.inputTokens),
            count(m.outputTokens),
            usd(m.costUsd),
            m.costPerSuccessfulTraceUsd === null ? '–' : usd(m.costPerSuccessfulTraceUsd),
          ]),
        ),
        '<h3>By agent</h3>',
        usageTable(usage.agents),
        '<h3>By service</h3>',
        usageTable(usage.services),
      ].join(''),
    ),
    section(
      'Health',
      [
        `<p>Traces: ${count(health.traces.total)}, failed ${count(health.traces.failed)} (${percent(health.traces.failureRate)}), incomplete ${count(health.traces.incomplete)}. Spans: ${count(health.spans.total)}, errors ${count(health.spans.errors)} (${percent(health.spans.errorRate)}).</p>`,
        barChart(
          'Failures by class',
          health.failureClasses.map((c) => ({ label: c.class, value: c.failures })),
          count,
        ),
        '<h3>Failures by class</h3>',
        table(
          ['Class', 'Failures', 'Traces', 'Share of traces'],
          health.failureClasses.map((c) => [
            c.class,
            count(c.failures),
            count(c.traces),
            percent(c.traceRate),
          ]),
        ),
        '<h3>Top signatures</h3>',
        table(
          ['Signature', 'Class', 'Severity', 'Service', 'Count', 'Last seen', 'Message'],
          health.topSignatures.map((s) => [
            s.signature,
            s.class,
            s.severity,
            s.service,
            count(s.count),
            s.lastSeen,
            s.message.slice(0, 160),
          ]),
        ),
        '<h3>Regressions</h3>',
        table(
          ['Signature', 'Class', 'Recurrences', 'Last seen'],
          health.regressions.map((r) => [r.signature, r.class, count(r.recurrences), r.lastSeen]),
        ),
        '<h3>Alerts</h3>',
        table(
          ['Alert', 'Severity', 'Firings', 'Last transition'],
          health.alerts.map((a) => [a.alertName, a.severity, count(a.firings), a.lastTransition]),
        ),
        '<h3>Incidents</h3>',
        table(
          ['Incident', 'Title', 'Severity', 'Status', 'Opened'],
          health.incidents.map((i) => [i.id, i.title, i.severity, i.status, i.openedAt]),
        ),
      ].join(''),
    ),
    section(
      'Storage',
      [
        barChart(
          'Bytes on disk by table',
          storage.tables.map((s) => ({ label: s.table, value: s.bytesOnDisk })),
          bytes,
        ),
        table(
          ['Table', 'Rows', 'Parts', 'On disk', 'Compression'],
          storage.tables.map((s) => [
            s.table,
            count(s.rows),
            count(s.parts),
            bytes(s.bytesOnDisk),
            `${s.compressionRatio}×`,
          ]),
        ),
        '<h3>Archive</h3>',
        storage.archive.length === 0
          ? '<p>Nothing archived (storage.archive.path is off, or no day has expired yet).</p>'
          : table(
              ['Table', 'Day', 'Size', 'File'],
              storage.archive.map((a) => [a.table, a.day, bytes(a.bytes), a.path]),
            ),
      ].join(''),
    ),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Faultline report: last ${h(period.since)}</title>
<style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#1d232b;max-width:980px;margin:24px auto;padding:0 16px}
h1{font-size:22px}h2{border-bottom:1px solid #d8dde3;padding-bottom:4px;margin-top:32px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0 16px;width:100%}th,td{border:1px solid #d8dde3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7}td{word-break:break-word}.muted,.source{color:#5c6670}.source{font-size:12px}
svg.chart{display:block;margin:12px 0;font-size:12px}svg .title{font-weight:600}svg .axis{fill:#5c6670;font-size:10px}
svg .bar{fill:#3b6fb6}svg .bad{fill:#c8463d}`;

const section = (title: string, content: string): string =>
  `<section><h2>${h(title)}</h2>${content}</section>`;

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="muted">None in this period.</p>';
  const th = head.map((c) => `<th>${h(c)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

const latencyTable = (rows: LatencyRow[]): string =>
  table(
    LATENCY_HEADERS,
    rows.map((r) => [r.name, ...latencyCells(r)]),
  );

const usageTable = (rows: Report['usage']['agents']): string =>
  table(
    USAGE_HEADERS,
    rows.map((r) => [r.name, ...usageCells(r)]),
  );
