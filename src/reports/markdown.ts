import {
  bytes,
  change,
  count,
  FIGURE_LABELS,
  LATENCY_HEADERS,
  latencyCells,
  markdownText as t,
  percent,
  USAGE_HEADERS,
  usageCells,
  usd,
} from './format.js';
import type { LatencyRow, Report, UsageRow } from './model.js';

/** The report as GitHub-flavoured Markdown; every client-written value is escaped. */
export function renderMarkdown(report: Report): string {
  const { period, performance, usage, health, trends, storage } = report;
  const out: string[] = [];
  out.push(`# Faultline report: last ${t(period.since)}`, '');
  out.push(
    `${period.from} to ${period.to}, compared with the ${t(period.since)} before (from ${period.previousFrom}).`,
    '',
  );

  out.push('## Recommendations', '');
  if (report.recommendations.length === 0) out.push('Nothing stands out in this period.', '');
  for (const r of report.recommendations)
    out.push(`- ${t(r.message)} _(from \`${r.source.replace(/`/g, "'")}\`)_`);
  out.push('');

  out.push('## Performance', '');
  for (const [title, rows] of [
    ['Operations', performance.operations],
    ['Models', performance.models],
    ['Tools', performance.tools],
  ] as const) {
    out.push(`### ${title}`, '', ...latencyTable(rows), '');
  }

  out.push('## Usage', '');
  out.push(
    '### By model',
    '',
    ...usageTable(usage.models, (name) => {
      const row = usage.models.find((m) => m.name === name);
      return row?.costPerSuccessfulTraceUsd == null ? '–' : usd(row.costPerSuccessfulTraceUsd);
    }),
    '',
  );
  out.push('### By agent', '', ...usageTable(usage.agents), '');
  out.push('### By service', '', ...usageTable(usage.services), '');

  out.push('## Health', '');
  out.push(
    `Traces: ${count(health.traces.total)}, failed ${count(health.traces.failed)} (${percent(health.traces.failureRate)}), incomplete ${count(health.traces.incomplete)}. ` +
      `Spans: ${count(health.spans.total)}, errors ${count(health.spans.errors)} (${percent(health.spans.errorRate)}).`,
    '',
  );
  out.push('### Failures by class', '');
  out.push(
    ...table(
      ['Class', 'Failures', 'Traces', 'Share of traces'],
      health.failureClasses.map((c) => [
        t(c.class),
        count(c.failures),
        count(c.traces),
        percent(c.traceRate),
      ]),
    ),
    '',
  );
  out.push('### Top signatures', '');
  out.push(
    ...table(
      ['Signature', 'Class', 'Severity', 'Service', 'Count', 'Last seen', 'Message'],
      health.topSignatures.map((s) => [
        `\`${s.signature.replace(/`/g, '')}\``,
        t(s.class),
        t(s.severity),
        t(s.service),
        count(s.count),
        s.lastSeen,
        t(s.message.slice(0, 120)),
      ]),
    ),
    '',
  );
  out.push('### Regressions', '');
  out.push(
    ...table(
      ['Signature', 'Class', 'Recurrences', 'Last seen'],
      health.regressions.map((r) => [
        `\`${r.signature.replace(/`/g, '')}\``,
        t(r.class),
        count(r.recurrences),
        r.lastSeen,
      ]),
    ),
    '',
  );
  out.push('### Alerts', '');
  out.push(
    ...table(
      ['Alert', 'Severity', 'Firings', 'Last transition'],
      health.alerts.map((a) => [t(a.alertName), t(a.severity), count(a.firings), a.lastTransition]),
    ),
    '',
  );
  out.push('### Incidents', '');
  out.push(
    ...table(
      ['Incident', 'Title', 'Severity', 'Status', 'Opened'],
      health.incidents.map((i) => [t(i.id), t(i.title), t(i.severity), t(i.status), i.openedAt]),
    ),
    '',
  );

  out.push('## Trends', '');
  out.push(
    ...table(
      ['Figure', 'This period', 'Previous period', 'Change'],
      trends.figures.map((f) => {
        const { label, show } = FIGURE_LABELS[f.name]!;
        return [label, show(f.current), show(f.previous), change(f.change)];
      }),
    ),
    '',
  );
  out.push('### Per day', '');
  out.push(
    ...table(
      ['Day', 'Spans', 'Errors', 'Cost'],
      trends.daily.map((d) => [d.day, count(d.spans), count(d.errors), usd(d.costUsd)]),
    ),
    '',
  );

  out.push('## Storage', '');
  out.push(
    ...table(
      ['Table', 'Rows', 'Parts', 'On disk', 'Compression'],
      storage.tables.map((s) => [
        t(s.table),
        count(s.rows),
        count(s.parts),
        bytes(s.bytesOnDisk),
        `${s.compressionRatio}×`,
      ]),
    ),
    '',
  );
  out.push('### Archive', '');
  if (storage.archive.length === 0)
    out.push('Nothing archived (storage.archive.path is off, or no day has expired yet).', '');
  else
    out.push(
      ...table(
        ['Table', 'Day', 'Size', 'File'],
        storage.archive.map((a) => [
          t(a.table),
          a.day,
          bytes(a.bytes),
          `\`${a.path.replace(/`/g, '')}\``,
        ]),
      ),
      '',
    );
  return `${out.join('\n')}\n`;
}

function table(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['None in this period.'];
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

const latencyTable = (rows: LatencyRow[]): string[] =>
  table(
    LATENCY_HEADERS,
    rows.map((r) => [t(r.name), ...latencyCells(r)]),
  );

function usageTable(rows: UsageRow[], perTrace?: (name: string) => string): string[] {
  return table(
    perTrace ? [...USAGE_HEADERS, 'Cost per successful trace'] : USAGE_HEADERS,
    rows.map((r) => {
      const cells = [t(r.name), ...usageCells(r)];
      return perTrace ? [...cells, perTrace(r.name)] : cells;
    }),
  );
}
