import { call } from './api.js';
import { badge, el, link, table, when, type Child } from './dom.js';

export interface Group {
  signature: string;
  class: string;
  severity: string;
  status: string;
  service: string;
  agent: string;
  step_type: string;
  span_name: string;
  message: string;
  count: number;
  first_seen: string | null;
  last_seen: string | null;
  example_trace_id: string;
  root_cause: boolean;
  regressed: boolean;
  regressions: number;
  symptoms: number;
}

const FILTERS: [string, string, string[]?][] = [
  ['q', 'Search'],
  ['service', 'Service'],
  ['agent', 'Agent'],
  ['class', 'Class'],
  ['severity', 'Severity', ['', 'critical', 'high', 'medium', 'low']],
  ['status', 'Status', ['', 'new', 'triaged', 'ready', 'exported', 'ignored']],
  ['since', 'Since', ['', '1h', '24h', '7d', '30d']],
  ['sort', 'Sort', ['last_seen', 'count', 'first_seen', 'severity']],
];

function filterForm(params: URLSearchParams, onApply: (p: URLSearchParams) => void): HTMLElement {
  const form = el('form', { class: 'filters', id: 'filters' });
  for (const [name, label, options] of FILTERS) {
    const input = options
      ? el('select', { name }, ...options.map((o) => el('option', { value: o }, o || 'any')))
      : el('input', { name, type: 'search' });
    (input as HTMLInputElement).value = params.get(name) ?? (name === 'sort' ? 'last_seen' : '');
    form.append(el('label', {}, label, input));
  }
  const symptoms = el('input', { type: 'checkbox', name: 'include_symptoms' }) as HTMLInputElement;
  symptoms.checked = params.get('include_symptoms') === 'true';
  form.append(el('label', {}, 'Symptoms', symptoms));
  form.append(el('button', { type: 'submit', class: 'primary' }, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of new FormData(form as HTMLFormElement)) {
      if (typeof value === 'string' && value !== '')
        next.set(name, name === 'include_symptoms' ? 'true' : value);
    }
    onApply(next);
  });
  return form;
}

function groupRow(group: Group): Child[] {
  const status = el('span', {}, badge(group.status, 'status'));
  if (group.regressed) status.append(' ', badge(`regressed ×${group.regressions}`, 'regressed'));
  return [
    badge(group.severity),
    el(
      'div',
      {},
      link(`/signature/${group.signature}`, group.class),
      group.root_cause ? '' : el('span', {}, ' ', badge('symptom')),
      el('div', { class: 'message' }, group.message),
    ),
    el('div', {}, group.service, el('div', { class: 'muted' }, group.agent)),
    el('div', {}, group.span_name, el('div', { class: 'muted' }, group.step_type)),
    el('span', { class: 'num' }, String(group.count)),
    el('span', { class: 'num' }, group.symptoms ? String(group.symptoms) : ''),
    when(group.last_seen),
    status,
  ];
}

/** The review queue: filters, then one row per signature, paged by the API's cursor. */
export async function queuePage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  main.replaceChildren(
    el('h1', {}, 'Failure queue'),
    filterForm(params, (next) => {
      location.hash = `#/?${next.toString()}`;
    }),
  );
  const body = el('tbody', {});
  const more = el('button', { type: 'button', id: 'more' }, 'More');
  const count = el('p', { class: 'muted', id: 'group-count' });
  main.append(
    count,
    el(
      'table',
      { id: 'queue' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...[
            'Severity',
            'Failure',
            'Service / agent',
            'Step',
            'Count',
            'Symptoms',
            'Last seen',
            'Status',
          ].map((h) => el('th', {}, h)),
        ),
      ),
      body,
    ),
    more,
  );
  let shown = 0;
  const load = async (cursor: string | null) => {
    const query = new URLSearchParams(params);
    if (cursor) query.set('cursor', cursor);
    const page = await call<{ groups: Group[]; next_cursor: string | null }>(
      'GET',
      `/api/v1/failures?${query.toString()}`,
    );
    for (const group of page.groups) {
      body.append(
        el(
          'tr',
          { 'data-signature': group.signature },
          ...groupRow(group).map((c) => el('td', {}, c)),
        ),
      );
    }
    shown += page.groups.length;
    count.textContent = `${shown} signature${shown === 1 ? '' : 's'}${page.next_cursor ? ' (more below)' : ''}`;
    more.hidden = !page.next_cursor;
    more.onclick = () => void load(page.next_cursor);
  };
  await load(null);
  if (shown === 0) main.append(table(['Nothing matches'], []));
}
