/** Number and text formatting shared by the Markdown and HTML renderers. */

import type { LatencyRow, UsageRow } from './model.js';

export const count = (n: number): string => n.toLocaleString('en-US');
export const ms = (n: number): string =>
  `${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US')} ms`;
export const usd = (n: number): string => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
export const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
export const change = (c: number | null): string =>
  c === null ? 'new' : `${c >= 0 ? '+' : ''}${(c * 100).toFixed(0)}%`;
export const bytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
};

/** The latency and usage tables of both renderers: headers, and each row's cells after its name. */
export const LATENCY_HEADERS = ['Name', 'Calls', 'Errors', 'p50', 'p95', 'p99', 'p95 before'];
export const latencyCells = (r: LatencyRow): string[] => [
  count(r.calls),
  count(r.errors),
  ms(r.p50Ms),
  ms(r.p95Ms),
  ms(r.p99Ms),
  r.previousP95Ms === null ? '–' : ms(r.previousP95Ms),
];
export const USAGE_HEADERS = [
  'Name',
  'Spans',
  'LLM calls',
  'Input tokens',
  'Output tokens',
  'Cost',
];
export const usageCells = (r: UsageRow): string[] => [
  count(r.spans),
  count(r.llmCalls),
  count(r.inputTokens),
  count(r.outputTokens),
  usd(r.costUsd),
];

/** The figures of `trends.figures` in the units they are kept in. */
export const FIGURE_LABELS: Record<string, { label: string; show: (n: number) => string }> = {
  traces: { label: 'Traces', show: count },
  trace_failure_rate: { label: 'Trace failure rate', show: percent },
  spans: { label: 'Spans', show: count },
  span_error_rate: { label: 'Span error rate', show: percent },
  failures: { label: 'Failures captured', show: count },
  tokens: { label: 'Tokens', show: count },
  cost_usd: { label: 'Cost', show: usd },
  p95_ms: { label: 'Span latency p95', show: ms },
};

/**
 * Text for a Markdown table cell: client-written text (span names, messages, models) must not
 * forge markup, so every character Markdown or HTML could read as syntax is escaped, and line
 * breaks (which would end the table row) become spaces.
 */
export const markdownText = (text: string): string =>
  text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, '\\$&');

export const htmlText = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
