import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonHandle } from '../helpers/daemon.js';
import {
  PII_EMAIL,
  api,
  recordRuns,
  sendRuns,
  startTriageDaemon,
  type AgentRun,
} from '../helpers/triage.js';

/**
 * The review queue API (SPEC §10) on a daemon fed 1,200 agent runs recorded with the
 * OpenTelemetry SDK: grouping, filters, sorting, cursor pagination, the status workflow with
 * its audit, ignored and regressed signatures, and the three export kinds.
 */

interface Group {
  signature: string;
  class: string;
  severity: string;
  status: string;
  service: string;
  agent: string;
  span_name: string;
  message: string;
  count: number;
  example_trace_id: string;
  root_cause: boolean;
  regressed: boolean;
  regressions: number;
  symptoms: number;
}
interface Page {
  groups: Group[];
  next_cursor: string | null;
}

const TOOLS = ['charge_card', 'refund', 'lookup_order', 'send_email', 'geocode'];

function runs(): AgentRun[] {
  const list: AgentRun[] = [];
  for (let i = 0; i < 1000; i++) {
    list.push({
      service: i % 2 ? 'billing' : 'support',
      agent: i % 2 ? 'billing-agent' : 'support-agent',
      fault: 'tool',
      tool: TOOLS[i % TOOLS.length]!,
      message: `${TOOLS[i % TOOLS.length]} failed`,
    });
  }
  for (let i = 0; i < 200; i++)
    list.push({ service: 'support', agent: 'support-agent', fault: 'llm' });
  return list;
}

describe('the review queue API', () => {
  let daemon: DaemonHandle;
  const queue = (query = '') => api<Page>(daemon, 'GET', `/api/v1/failures${query}`);

  beforeAll(async () => {
    daemon = await startTriageDaemon();
    await sendRuns(daemon, recordRuns(runs()));
  }, 120_000);

  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('groups root causes per signature, with their counts and symptoms', async () => {
    const { status, body } = await queue('?limit=100');
    console.log(
      body.groups
        .map((g) => [g.span_name, g.service, g.class, g.count, g.symptoms, g.root_cause].join(' '))
        .join('\n'),
    );
    expect(status).toBe(200);
    // Five tools over two services, and the rate-limited model call.
    expect(body.groups).toHaveLength(11);
    expect(body.groups.every((g) => g.root_cause)).toBe(true);
    const total = body.groups.reduce((sum, g) => sum + g.count, 0);
    expect(total).toBe(1200);
    const charge = body.groups.find(
      (g) => g.service === 'billing' && g.span_name === 'execute_tool charge_card',
    )!;
    // One agent failure above each tool failure.
    expect([charge.class, charge.count, charge.symptoms, charge.status]).toEqual([
      'tool_error',
      100,
      100,
      'new',
    ]);
    expect(charge.example_trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(body)).not.toContain(PII_EMAIL);
  });

  it('lists the symptoms too when asked', async () => {
    const { body } = await queue('?limit=100&include_symptoms=true');
    const symptoms = body.groups.filter((g) => !g.root_cause);
    expect(symptoms.length).toBeGreaterThan(0);
    expect(symptoms.every((g) => g.span_name.startsWith('invoke_agent'))).toBe(true);
  });

  it('filters by service, class, agent, step type and free text', async () => {
    const billing = await queue('?service=billing');
    expect(billing.body.groups.map((g) => g.service)).toEqual(Array(5).fill('billing'));
    const limited = await queue('?class=rate_limited');
    expect(limited.body.groups.map((g) => g.class)).toEqual(['rate_limited']);
    const agent = await queue('?agent=support-agent&step_type=agent&include_symptoms=true');
    expect(agent.body.groups.length).toBeGreaterThan(0);
    expect(agent.body.groups.every((g) => g.agent === 'support-agent')).toBe(true);
    const tools = await queue('?service=support&step_type=tool_call');
    expect(tools.body.groups).toHaveLength(5);
    const text = await queue('?q=refund');
    expect(text.body.groups.map((g) => g.span_name)).toEqual([
      'execute_tool refund',
      'execute_tool refund',
    ]);
    const future = await queue(`?since=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
    expect(future.body.groups).toEqual([]);
  });

  it('sorts by count and pages with a cursor without repeating or losing a group', async () => {
    const first = await queue('?sort=count&limit=4');
    expect(first.body.groups[0]!.class).toBe('rate_limited');
    const counts = first.body.groups.map((g) => g.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const seen = first.body.groups.map((g) => g.signature);
    let cursor = first.body.next_cursor;
    while (cursor) {
      const next = await queue(`?sort=count&limit=4&cursor=${cursor}`);
      seen.push(...next.body.groups.map((g) => g.signature));
      cursor = next.body.next_cursor;
    }
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
  });

  it('refuses bad parameters with a clear error', async () => {
    const bad = await queue('?sort=loudest');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('sort');
    const cursor = await queue('?cursor=nonsense');
    expect(cursor.status).toBe(400);
  });

  it('serves a signature with occurrences, symptoms, histogram and history', async () => {
    const { body } = await queue('?class=rate_limited');
    const signature = body.groups[0]!.signature;
    const detail = await api<{
      group: Group;
      occurrences: { trace_id: string; symptoms: unknown[] }[];
      next_cursor: string | null;
      histogram: { hour: string; count: number }[];
      history: unknown[];
    }>(daemon, 'GET', `/api/v1/failures/${signature}?limit=50`);
    expect(detail.status).toBe(200);
    expect(detail.body.occurrences).toHaveLength(50);
    expect(detail.body.occurrences.every((o) => o.symptoms.length === 1)).toBe(true);
    expect(detail.body.next_cursor).not.toBeNull();
    expect(detail.body.histogram.reduce((sum, h) => sum + h.count, 0)).toBe(200);
    const next = await api<{ occurrences: { trace_id: string }[] }>(
      daemon,
      'GET',
      `/api/v1/failures/${signature}?limit=50&cursor=${detail.body.next_cursor}`,
    );
    const firstIds = new Set(detail.body.occurrences.map((o) => o.trace_id));
    expect(next.body.occurrences.some((o) => firstIds.has(o.trace_id))).toBe(false);
  });

  it('audits status changes, and an ignored signature stays ignored', async () => {
    const { body } = await queue('?service=support&q=geocode');
    const signature = body.groups[0]!.signature;
    const triaged = await api<Group>(daemon, 'PATCH', `/api/v1/failures/${signature}`, {
      status: 'triaged',
      note: 'looking',
    });
    expect(triaged.body.status).toBe('triaged');
    const ignored = await api<Group>(daemon, 'PATCH', `/api/v1/failures/${signature}`, {
      status: 'ignored',
      note: 'flaky sandbox',
    });
    expect(ignored.body.status).toBe('ignored');
    const detail = await api<{
      history: { actor: string; from: string; to: string; note: string }[];
    }>(daemon, 'GET', `/api/v1/failures/${signature}`);
    expect(detail.body.history.map((h) => [h.actor, h.from, h.to, h.note])).toEqual([
      ['anonymous', 'triaged', 'ignored', 'flaky sandbox'],
      ['anonymous', 'new', 'triaged', 'looking'],
    ]);
    await sendRuns(
      daemon,
      recordRuns([
        {
          service: 'support',
          agent: 'support-agent',
          fault: 'tool',
          tool: 'geocode',
          message: 'geocode failed',
        },
      ]),
    );
    const after = await queue('?status=ignored');
    expect(after.body.groups.map((g) => [g.signature, g.count])).toEqual([[signature, 101]]);
    const bad = await api(daemon, 'PATCH', `/api/v1/failures/${signature}`, { status: 'done' });
    expect(bad.status).toBe(400);
  });

  it('writes a signature’s failures with its review status, counting nothing twice', async () => {
    const all = await queue('?limit=100&include_symptoms=true&service=billing');
    const symptom = all.body.groups.find(
      (g) => !g.root_cause && g.message.includes('lookup_order'),
    )!;
    const cause = all.body.groups.find(
      (g) => g.root_cause && g.span_name === 'execute_tool lookup_order',
    )!;
    const rollUp = async () =>
      daemon.query<{ occurrences: string; symptoms: string }>(
        `SELECT sum(Occurrences) AS occurrences, sum(SymptomOccurrences) AS symptoms
         FROM faultline.failure_signatures WHERE Signature = '${symptom.signature}'`,
      );
    const before = await rollUp();
    const statuses = () =>
      daemon.query<{ Status: string; n: number }>(
        `SELECT Status, count() AS n FROM faultline.failures FINAL
         WHERE Signature = '${symptom.signature}' GROUP BY Status ORDER BY Status`,
      );
    expect(await statuses()).toEqual([{ Status: 'new', n: symptom.count }]);

    for (const status of ['ignored', 'triaged']) {
      const patched = await api<Group>(daemon, 'PATCH', `/api/v1/failures/${symptom.signature}`, {
        status,
      });
      expect(patched.body.status).toBe(status);
      expect(await statuses()).toEqual([{ Status: status, n: symptom.count }]);
    }
    // The copies are revisions, not occurrences or symptoms: every count stays as it was.
    expect(await rollUp()).toEqual(before);
    const again = await queue('?limit=100&include_symptoms=true&service=billing');
    const counts = (g: Group | undefined) => [g?.count, g?.symptoms, g?.root_cause];
    expect(counts(again.body.groups.find((g) => g.signature === symptom.signature))).toEqual(
      counts(symptom),
    );
    expect(counts(again.body.groups.find((g) => g.signature === cause.signature))).toEqual(
      counts(cause),
    );
  });

  it('changes the status of a capture’s signature by failure id', async () => {
    const { body } = await queue('?service=billing&q=send_email');
    const signature = body.groups[0]!.signature;
    const [row] = await daemon.query<{ FailureId: string }>(
      `SELECT FailureId FROM faultline.failures WHERE Signature = '${signature}' LIMIT 1`,
    );
    const patched = await api<Group>(daemon, 'PATCH', `/api/v1/failures/by-id/${row!.FailureId}`, {
      status: 'ready',
    });
    expect([patched.status, patched.body.signature, patched.body.status]).toEqual([
      200,
      signature,
      'ready',
    ]);
  });

  describe('exports', () => {
    let charge: Group;
    const exportOf = async (kind: string) => {
      const created = await api<{ id: string; kind: string; count: number; url: string }>(
        daemon,
        'POST',
        '/api/v1/exports',
        { signatures: [charge.signature], kind },
      );
      expect(created.status).toBe(201);
      const download = await fetch(`${daemon.adminUrl}${created.body.url}`);
      expect(download.status).toBe(200);
      return { ...created.body, content: await download.text() };
    };

    beforeAll(async () => {
      const { body } = await queue('?service=billing&q=charge_card');
      charge = body.groups[0]!;
    });

    it('writes an eval dataset of JSON lines carrying redacted input and the actual error', async () => {
      const exported = await exportOf('eval_dataset');
      const lines = exported.content
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as {
              input: string;
              expected: string;
              actual: string;
              metadata: { trace_id: string; signature: string; class: string; tool: string };
            },
        );
      expect(lines).toHaveLength(exported.count);
      expect(lines.length).toBe(100);
      expect(lines[0]!.input).toContain('amount');
      expect(lines[0]!.actual).toContain('charge_card failed');
      expect(lines[0]!.metadata).toMatchObject({
        signature: charge.signature,
        class: 'tool_error',
        tool: 'charge_card',
      });
      expect(exported.content).not.toContain(PII_EMAIL);
    });

    it('writes guardrails as YAML and a runbook naming the signature and an example trace', async () => {
      const yaml = await exportOf('guardrails');
      expect(yaml.content).toContain(`signature: "${charge.signature}"`);
      expect(yaml.content).not.toContain(PII_EMAIL);
      const runbook = await exportOf('runbook');
      expect(runbook.content).toContain(charge.signature);
      expect(runbook.content).toMatch(/- [0-9a-f]{32}/);
      expect(runbook.content).toContain('charge\\_card');
      expect(runbook.content).not.toContain(PII_EMAIL);
    });

    it('marks exported signatures, and a new occurrence is a regression back in the queue', async () => {
      const exported = await queue('?status=exported');
      expect(exported.body.groups.map((g) => g.signature)).toContain(charge.signature);
      await sendRuns(
        daemon,
        recordRuns([
          {
            service: 'billing',
            agent: 'billing-agent',
            fault: 'tool',
            tool: 'charge_card',
            message: 'charge_card failed',
          },
        ]),
      );
      const back = await queue('?status=new&service=billing&q=charge_card');
      expect(back.body.groups.map((g) => [g.status, g.regressed, g.regressions])).toEqual([
        ['new', true, 1],
      ]);
    });
  });
});
