import { call } from './api.js';
import { badge, el } from './dom.js';

interface FailureDoc {
  failure_id: string;
  class: string;
  message: string;
  caused_by?: string;
}
interface StepDoc {
  span_id: string;
  name: string;
  type: string;
  start_time_unix_nano: string;
  duration_ns: string;
  status: { code: string; message: string };
  model: string;
  tool_name: string;
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number;
  output_preview: string;
  failures: FailureDoc[];
  children: StepDoc[];
}
interface TraceDoc {
  trace_id: string;
  status: string;
  root_name: string;
  service_name: string;
  start_time_unix_nano: string;
  duration_ns: string;
  root_cause_span_id: string;
  steps: StepDoc[];
}

const ms = (ns: string | bigint): string => `${(Number(ns) / 1e6).toFixed(1)} ms`;

function failureList(step: StepDoc, causes: Map<string, string>): HTMLElement | string {
  if (step.failures.length === 0) return '';
  return el(
    'ul',
    { class: 'symptoms' },
    ...step.failures.map((f) =>
      el(
        'li',
        { class: f.caused_by ? 'symptom' : 'cause' },
        f.caused_by ? badge('symptom') : badge('root cause', 'critical'),
        ' ',
        `${f.class}: ${f.message}`,
        f.caused_by
          ? el('span', { class: 'muted' }, ` (caused by ${causes.get(f.caused_by) ?? f.caused_by})`)
          : '',
      ),
    ),
  );
}

/**
 * Every step of the tree with its depth, parents before their children, without recursion: a
 * chain of steps can be as deep as the trace is long (5,000 by default), deeper than the
 * browser's stack.
 */
function inTreeOrder(steps: StepDoc[]): { step: StepDoc; depth: number }[] {
  const ordered: { step: StepDoc; depth: number }[] = [];
  const pending = steps.map((step) => ({ step, depth: 0 })).reverse();
  for (let next = pending.pop(); next; next = pending.pop()) {
    ordered.push(next);
    const { children } = next.step;
    for (let i = children.length - 1; i >= 0; i--) {
      pending.push({ step: children[i]!, depth: next.depth + 1 });
    }
  }
  return ordered;
}

/** The trace as a waterfall: steps in tree order, bars on the trace's time line. */
export async function tracePage(main: HTMLElement, traceId: string): Promise<void> {
  const doc = await call<TraceDoc>('GET', `/api/v1/traces/${encodeURIComponent(traceId)}`);
  const start = BigInt(doc.start_time_unix_nano);
  const total = Number(BigInt(doc.duration_ns)) || 1;
  const ordered = inTreeOrder(doc.steps);
  const causes = new Map<string, string>();
  for (const { step } of ordered) {
    step.failures.forEach((f) => causes.set(f.failure_id, `${f.class} in ${step.name}`));
  }
  const rows = ordered.map(({ step, depth }) => {
    const offset = Number(BigInt(step.start_time_unix_nano) - start) / total;
    const width = Number(step.duration_ns) / total;
    const bar = el('span', {
      class: step.failures.length || step.status.code === 'error' ? 'failed' : '',
    });
    bar.style.left = `${(offset * 100).toFixed(2)}%`;
    bar.style.width = `${Math.max(0.3, width * 100).toFixed(2)}%`;
    const name = el('div', { class: 'step-name' }, badge(step.type), ' ', step.name);
    name.style.paddingLeft = `${depth * 1.2}rem`;
    const tokens = step.usage.input_tokens + step.usage.output_tokens;
    return el(
      'tr',
      { 'data-span-id': step.span_id, class: step.failures.length ? 'failing' : '' },
      el(
        'td',
        {},
        name,
        step.model || step.tool_name
          ? el('div', { class: 'muted' }, step.model || step.tool_name)
          : '',
      ),
      el('td', { class: 'bar-cell' }, el('div', { class: 'bar' }, bar)),
      el('td', { class: 'num' }, ms(step.duration_ns)),
      el('td', { class: 'num' }, tokens ? String(tokens) : ''),
      el('td', { class: 'num' }, step.cost_usd ? `$${step.cost_usd.toFixed(5)}` : ''),
      el(
        'td',
        {},
        failureList(step, causes),
        step.output_preview ? el('div', { class: 'preview' }, step.output_preview) : '',
      ),
    );
  });
  main.replaceChildren(
    el(
      'h1',
      {},
      `Trace ${doc.root_name} `,
      badge(doc.status, doc.status === 'failed' ? 'high' : 'status'),
    ),
    el('p', { class: 'muted' }, `${doc.service_name} · ${doc.trace_id} · ${ms(doc.duration_ns)}`),
    el(
      'table',
      { class: 'waterfall', id: 'waterfall' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Step', 'Timeline', 'Duration', 'Tokens', 'Cost', 'Failures / output'].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      el('tbody', {}, ...rows),
    ),
  );
}
