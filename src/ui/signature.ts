import { call, download } from './api.js';
import { badge, el, link, table, when } from './dom.js';
import type { Group } from './queue.js';

interface Occurrence {
  failure_id: string;
  timestamp: string | null;
  trace_id: string;
  agent: string;
  span_name: string;
  message: string;
  caused_by: string;
  symptoms: { failure_id: string; class: string; span_name: string; signature: string }[];
}

interface Detail {
  group: Group;
  occurrences: Occurrence[];
  next_cursor: string | null;
  histogram: { hour: string; count: number }[];
  history: { at: string; actor: string; from: string; to: string; note: string }[];
}

const STATUSES = ['new', 'triaged', 'ready', 'ignored'];
const EXPORTS: [string, string][] = [
  ['eval_dataset', 'jsonl'],
  ['guardrails', 'yaml'],
  ['runbook', 'md'],
];

function histogram(points: Detail['histogram']): HTMLElement {
  const max = Math.max(1, ...points.map((p) => p.count));
  return el(
    'div',
    { class: 'histogram', id: 'histogram' },
    ...points.map((p) => {
      const bar = el('div', { title: `${when(p.hour)}: ${p.count}` });
      // Through the CSSOM: the Content-Security-Policy allows no inline style attributes.
      bar.style.height = `${Math.round((p.count / max) * 100)}%`;
      return bar;
    }),
  );
}

/** One signature: what it is, its hourly histogram, status buttons, exports, occurrences, history. */
export async function signaturePage(main: HTMLElement, signature: string): Promise<void> {
  const detail = await call<Detail>(
    'GET',
    `/api/v1/failures/${encodeURIComponent(signature)}?limit=50`,
  );
  const { group } = detail;
  const note = el('input', { id: 'note', placeholder: 'note (optional)' }) as HTMLInputElement;
  const notice = el('span', { class: 'muted', id: 'notice' });
  const statusButtons = STATUSES.map((status) => {
    const button = el('button', { type: 'button', 'data-status': status }, status);
    button.addEventListener('click', () => {
      void call('PATCH', `/api/v1/failures/${encodeURIComponent(signature)}`, {
        status,
        note: note.value,
      })
        .then(() => signaturePage(main, signature))
        .catch((error: Error) => (notice.textContent = error.message));
    });
    return button;
  });
  const exportButtons = EXPORTS.map(([kind, extension]) => {
    const button = el('button', { type: 'button', 'data-export': kind }, `Export ${kind}`);
    button.addEventListener('click', () => {
      void call<{ id: string; url: string }>('POST', '/api/v1/exports', {
        signatures: [signature],
        kind,
      })
        .then(async (created) => {
          await download(created.url, `faultline-${kind}-${created.id}.${extension}`);
          await signaturePage(main, signature);
        })
        .catch((error: Error) => (notice.textContent = error.message));
    });
    return button;
  });
  main.replaceChildren(
    el(
      'h1',
      {},
      `${group.class} `,
      badge(group.severity),
      ' ',
      badge(group.status, 'status'),
      group.regressed
        ? el('span', {}, ' ', badge(`regressed ×${group.regressions}`, 'regressed'))
        : '',
    ),
    el(
      'div',
      { class: 'facts' },
      'Message',
      el('span', { class: 'message', id: 'group-message' }, group.message),
      'Where',
      `${group.service} · ${group.agent || 'no agent'} · ${group.step_type} · ${group.span_name}`,
      'Seen',
      `${group.count} times, first ${when(group.first_seen)}, last ${when(group.last_seen)}`,
      'Role',
      group.root_cause
        ? `root cause (${group.symptoms} symptoms above it)`
        : 'symptom of a failure below it',
      'Signature',
      group.signature,
    ),
    el('div', { class: 'actions' }, 'Status:', ...statusButtons, note),
    el('div', { class: 'actions' }, ...exportButtons, notice),
    el('h2', {}, 'Occurrences per hour'),
    histogram(detail.histogram),
    el('h2', {}, 'Occurrences'),
    table(
      ['Time', 'Trace', 'Step', 'Message'],
      detail.occurrences.map((o) => [
        when(o.timestamp),
        link(`/trace/${o.trace_id}`, o.trace_id),
        o.span_name,
        el(
          'div',
          { class: 'message' },
          o.message,
          o.symptoms.length
            ? el(
                'ul',
                { class: 'symptoms' },
                ...o.symptoms.map((s) =>
                  el(
                    'li',
                    {},
                    'symptom: ',
                    link(`/signature/${s.signature}`, `${s.class} in ${s.span_name}`),
                  ),
                ),
              )
            : '',
        ),
      ]),
      'occurrences',
    ),
    el('h2', {}, 'History'),
    table(
      ['When', 'Who', 'From', 'To', 'Note'],
      detail.history.map((h) => [when(h.at), h.actor, h.from, h.to, h.note]),
      'history',
    ),
  );
}
