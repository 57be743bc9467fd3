import { call } from './api.js';
import { badge, el, link, table, when, type Child } from './dom.js';

/** The parts of `GET /api/v1/reports?format=json` (docs/reports.md) this page shows. */
interface Latency {
  name: string;
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  previousP95Ms: number | null;
}
interface Usage {
  name: string;
  spans: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
interface Report {
  period: { since: string; from: string; to: string };
  performance: { operations: Latency[]; models: Latency[]; tools: Latency[] };
  usage: { models: Usage[]; agents: Usage[]; services: Usage[] };
  health: {
    traces: { total: number; failed: number; incomplete: number; failureRate: number };
    spans: { total: number; errors: number; errorRate: number };
    failureClasses: { class: string; failures: number; traces: number; traceRate: number }[];
    topSignatures: {
      signature: string;
      class: string;
      service: string;
      message: string;
      count: number;
    }[];
    regressions: { signature: string; class: string; recurrences: number; lastSeen: string }[];
    alerts: { alertName: string; severity: string; firings: number; lastTransition: string }[];
    incidents: { id: string; title: string; severity: string; status: string; openedAt: string }[];
  };
  trends: {
    figures: { name: string; current: number; previous: number; change: number | null }[];
    daily: { day: string; spans: number; errors: number; costUsd: number }[];
  };
  recommendations: { message: string; source: string }[];
}

const PERIODS = ['24h', '7d', '30d'];

const count = (n: number): string => n.toLocaleString('en-US');
const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : count(Math.round(n))} ms`;
const usd = (n: number): string => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
const change = (c: number | null): string =>
  c === null ? 'new' : `${c >= 0 ? '+' : ''}${(c * 100).toFixed(0)}%`;

/** The trend figures by the names the report gives them, in the units they are kept in. */
const FIGURES: Record<string, [string, (n: number) => string]> = {
  traces: ['Traces', count],
  trace_failure_rate: ['Trace failure rate', percent],
  spans: ['Spans', count],
  span_error_rate: ['Span error rate', percent],
  failures: ['Failures captured', count],
  tokens: ['Tokens', count],
  cost_usd: ['Cost', usd],
  p95_ms: ['Span latency p95', ms],
};

/**
 * A horizontal bar for `value` out of `max`. Its width is set through the CSSOM: the page's
 * Content-Security-Policy allows no inline style attributes.
 */
function meter(value: number, max: number, text: string, kind = ''): HTMLElement {
  const fill = el('span', kind ? { class: kind } : {});
  fill.style.width = `${max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0}%`;
  return el('div', { class: 'meter' }, el('div', { class: 'track' }, fill), el('span', {}, text));
}

const maxOf = <T>(rows: T[], value: (row: T) => number): number => Math.max(0, ...rows.map(value));

function latencyTable(title: string, rows: Latency[]): Child[] {
  if (rows.length === 0) return [];
  const max = maxOf(rows, (r) => r.p95Ms);
  return [
    el('h3', {}, title),
    table(
      ['Name', 'Calls', 'Errors', 'p50', 'p95', 'p99', 'p95 before'],
      rows.map((r) => [
        r.name || '–',
        count(r.calls),
        count(r.errors),
        ms(r.p50Ms),
        meter(r.p95Ms, max, ms(r.p95Ms)),
        ms(r.p99Ms),
        r.previousP95Ms === null ? '–' : ms(r.previousP95Ms),
      ]),
      'report',
    ),
  ];
}

function usageTable(title: string, rows: Usage[]): Child[] {
  if (rows.length === 0) return [];
  const max = maxOf(rows, (r) => r.costUsd);
  return [
    el('h3', {}, title),
    table(
      ['Name', 'Spans', 'LLM calls', 'Input tokens', 'Output tokens', 'Cost'],
      rows.map((r) => [
        r.name || '–',
        count(r.spans),
        count(r.llmCalls),
        count(r.inputTokens),
        count(r.outputTokens),
        meter(r.costUsd, max, usd(r.costUsd)),
      ]),
      'report',
    ),
  ];
}

/** The trend figures against the previous period of the same length. */
function figures(report: Report): HTMLElement {
  return el(
    'div',
    { class: 'figures', id: 'figures' },
    ...report.trends.figures.map((f) => {
      const [label, show] = FIGURES[f.name] ?? [f.name, count];
      return el(
        'div',
        { class: 'figure' },
        el('div', { class: 'muted' }, label),
        el('strong', {}, show(f.current)),
        el('div', { class: 'muted' }, `${change(f.change)} vs ${show(f.previous)} before`),
      );
    }),
  );
}

/** Spans per day as columns, the errors of each day in red at its foot, labelled by date. */
function daily(rows: Report['trends']['daily']): HTMLElement {
  const max = Math.max(1, ...rows.map((d) => d.spans));
  return el(
    'div',
    { class: 'daily', id: 'daily' },
    ...rows.map((d) => {
      const column = el('div', { class: 'day' });
      column.style.height = `${(d.spans / max) * 100}%`;
      const errors = el('span');
      errors.style.height = `${d.spans > 0 ? (d.errors / d.spans) * 100 : 0}%`;
      column.append(errors);
      return el(
        'div',
        {
          class: 'column',
          title: `${d.day}: ${count(d.spans)} spans, ${count(d.errors)} errors, ${usd(d.costUsd)}`,
        },
        el('div', { class: 'bars' }, column),
        el('small', { class: 'muted' }, d.day.slice(5)),
      );
    }),
  );
}

function health(report: Report): Child[] {
  const { traces, spans, failureClasses, topSignatures, regressions, alerts, incidents } =
    report.health;
  const maxFailures = maxOf(failureClasses, (c) => c.failures);
  return [
    el('h2', {}, 'Health'),
    el(
      'p',
      {},
      `${count(traces.failed)} of ${count(traces.total)} traces failed (${percent(traces.failureRate)}), `,
      `${count(traces.incomplete)} incomplete; ${count(spans.errors)} of ${count(spans.total)} spans `,
      `ended in error (${percent(spans.errorRate)}).`,
    ),
    failureClasses.length > 0 &&
      table(
        ['Failure class', 'Failures', 'Traces', 'Share of traces'],
        failureClasses.map((c) => [
          c.class,
          meter(c.failures, maxFailures, count(c.failures), 'bad'),
          count(c.traces),
          percent(c.traceRate),
        ]),
        'report',
      ),
    topSignatures.length > 0 && el('h3', {}, 'Top signatures'),
    topSignatures.length > 0 &&
      table(
        ['Failure', 'Service', 'Count'],
        topSignatures.map((s) => [
          el(
            'div',
            {},
            link(`/signature/${encodeURIComponent(s.signature)}`, s.class),
            el('div', { class: 'message' }, s.message),
          ),
          s.service,
          count(s.count),
        ]),
        'report',
      ),
    regressions.length > 0 && el('h3', {}, 'Regressions'),
    regressions.length > 0 &&
      table(
        ['Failure', 'Recurrences', 'Last seen'],
        regressions.map((r) => [
          link(`/signature/${encodeURIComponent(r.signature)}`, r.class),
          count(r.recurrences),
          when(r.lastSeen),
        ]),
        'report',
      ),
    el('h3', {}, link('/alerts', 'Alerts')),
    alerts.length > 0
      ? table(
          ['Alert', 'Severity', 'Firings', 'Last transition'],
          alerts.map((a) => [
            a.alertName,
            badge(a.severity),
            count(a.firings),
            when(a.lastTransition),
          ]),
          'report',
        )
      : el('p', { class: 'muted' }, 'No alert fired in this period.'),
    el('h3', {}, link('/incidents', 'Incidents')),
    incidents.length > 0
      ? table(
          ['Incident', 'Status', 'Severity', 'Opened'],
          incidents.map((i) => [
            link(`/incident/${encodeURIComponent(i.id)}`, i.title),
            badge(i.status),
            badge(i.severity),
            when(i.openedAt),
          ]),
          'report',
        )
      : el('p', { class: 'muted' }, 'No incident opened in this period.'),
  ];
}

/** `#/overview?since=7d`: the report of the stored data (SPEC §13), as the API gives it. */
export async function overviewPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const since = PERIODS.includes(params.get('since') ?? '') ? params.get('since')! : '7d';
  const report = await call<Report>(
    'GET',
    `/api/v1/reports?since=${encodeURIComponent(since)}&format=json`,
  );
  const { performance, usage, recommendations } = report;
  const page = el(
    'div',
    { id: 'overview' },
    el('h1', {}, 'Overview'),
    el(
      'p',
      { class: 'period' },
      `${when(report.period.from)} – ${when(report.period.to)}, against the ${since} before. `,
      ...PERIODS.flatMap((p) => [
        p === since ? el('strong', {}, p) : link(`/overview?since=${p}`, p),
        ' ',
      ]),
    ),
    figures(report),
    el('h2', {}, 'Recommendations'),
    recommendations.length > 0
      ? el(
          'ul',
          { class: 'recommendations', id: 'recommendations' },
          ...recommendations.map((r) =>
            el('li', {}, r.message, ' ', el('span', { class: 'muted' }, `(from ${r.source})`)),
          ),
        )
      : el('p', { class: 'muted', id: 'recommendations' }, 'Nothing stands out in this period.'),
    ...health(report),
    el('h2', {}, 'Performance'),
    ...latencyTable('Operations', performance.operations),
    ...latencyTable('Models', performance.models),
    ...latencyTable('Tools', performance.tools),
    el('h2', {}, 'Usage'),
    ...usageTable('Models', usage.models),
    ...usageTable('Agents', usage.agents),
    ...usageTable('Services', usage.services),
    el('h2', {}, 'Trends'),
    el('p', { class: 'muted' }, 'Spans per day; the red foot of each day is its share of errors.'),
    daily(report.trends.daily),
  );
  main.replaceChildren(page);
}
