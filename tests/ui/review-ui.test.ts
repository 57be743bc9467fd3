import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonHandle } from '../helpers/daemon.js';
import {
  api,
  recordChain,
  recordRuns,
  sendRuns,
  startTriageDaemon,
  type AgentRun,
} from '../helpers/triage.js';

/**
 * The review UI in headless Chromium (Debian's package, driven by playwright-core) against a
 * daemon fed agent runs recorded with the OpenTelemetry SDK. Screenshots of each page are
 * written to docs/screenshots/.
 */

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const HOSTILE_TOOL = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_MESSAGE = '<script>window.__pwned=2</script> # heading [link](http://evil.test)';

function runs(): AgentRun[] {
  const list: AgentRun[] = [];
  for (let i = 0; i < 30; i++) {
    list.push({
      service: i % 3 ? 'billing' : 'support',
      agent: i % 3 ? 'billing-agent' : 'support-agent',
      fault: i % 5 === 0 ? 'llm' : 'tool',
      tool: i % 2 ? 'charge_card' : 'refund',
      message: i % 2 ? 'card declined' : 'refund window closed',
    });
  }
  list.push({
    service: 'billing',
    agent: 'billing-agent',
    fault: 'tool',
    tool: HOSTILE_TOOL,
    message: HOSTILE_MESSAGE,
  });
  return list;
}

describe('the review UI', () => {
  let daemon: DaemonHandle;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    // Failures of each service fire an alert, which opens an incident.
    daemon = await startTriageDaemon({
      alertRulesYaml: `      - name: AgentFailures
        aggregate: failure_count
        group_by: [service]
        op: '>'
        threshold: 2
        window: 10m
        for: 0s
        severity: high
        annotations:
          summary: '{{ $labels.service }} captured {{ $value }} failures'
`,
    });
    await sendRuns(daemon, recordRuns(runs()));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.cleanup();
  });

  it('serves the page with a policy that allows no inline script and no other origin', async () => {
    const response = await fetch(`${daemon.adminUrl}/`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
  });

  it('lists the failure groups of the queue', async () => {
    await page.goto(`${daemon.adminUrl}/`);
    await page.waitForSelector('#queue tbody tr');
    const { body } = await api<{ groups: unknown[] }>(daemon, 'GET', '/api/v1/failures');
    expect(await page.locator('#queue tbody tr').count()).toBe(body.groups.length);
    await page.screenshot({ path: `${SCREENSHOTS}queue.png`, fullPage: true });
  });

  it('filters the queue', async () => {
    await page.selectOption('#filters select[name=sort]', 'count');
    await page.fill('#filters input[name=service]', 'support');
    await page.click('#filters button[type=submit]');
    await page.waitForURL(/service=support/);
    await page.waitForSelector('#queue tbody tr');
    const services = await page.locator('#queue tbody tr td:nth-child(3)').allTextContents();
    expect(services.length).toBeGreaterThan(0);
    expect(services.every((text) => text.startsWith('support'))).toBe(true);
  });

  it('opens a signature with its histogram and traces, and records a status change', async () => {
    await page.goto(`${daemon.adminUrl}/#/?q=charge_card&service=billing`);
    await page.waitForSelector('#queue tbody tr');
    const signature = await page.locator('#queue tbody tr').first().getAttribute('data-signature');
    await page.locator('#queue tbody tr a').first().click();
    await page.waitForSelector('#histogram');
    expect(await page.locator('table.occurrences a[href^="#/trace/"]').count()).toBeGreaterThan(0);
    await page.fill('#note', 'seen in the browser');
    await page.click('button[data-status=triaged]');
    await page.waitForSelector('table.history tbody tr');
    await page.screenshot({ path: `${SCREENSHOTS}signature.png`, fullPage: true });
    const detail = await api<{ history: { actor: string; to: string; note: string }[] }>(
      daemon,
      'GET',
      `/api/v1/failures/${signature}`,
    );
    expect(detail.body.history[0]).toMatchObject({
      actor: 'anonymous',
      to: 'triaged',
      note: 'seen in the browser',
    });
  });

  it('shows the trace waterfall with the failing step as root cause and the agent as symptom', async () => {
    await page.locator('table.occurrences a[href^="#/trace/"]').first().click();
    await page.waitForSelector('#waterfall');
    const failing = page.locator('#waterfall tr.failing');
    expect(await failing.count()).toBe(2);
    expect(await page.locator('#waterfall li.cause').first().textContent()).toContain('tool_error');
    expect(await page.locator('#waterfall li.symptom').count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}trace.png`, fullPage: true });
  });

  it('shows the report on the overview page, its bars drawn through the CSSOM', async () => {
    const { body: report } = await api<{
      trends: { figures: unknown[]; daily: unknown[] };
      health: { traces: { total: number; failed: number }; topSignatures: unknown[] };
    }>(daemon, 'GET', '/api/v1/reports?since=7d&format=json');
    expect(report.health.traces.failed).toBeGreaterThan(0);
    await page.goto(`${daemon.adminUrl}/#/overview?since=7d`);
    await page.waitForSelector('#figures .figure');
    expect(await page.locator('#figures .figure').count()).toBe(report.trends.figures.length);
    expect(await page.locator('#overview').textContent()).toContain(
      `${report.health.traces.failed} of ${report.health.traces.total} traces failed`,
    );
    expect(await page.locator('#overview a[href^="#/signature/"]').count()).toBe(
      report.health.topSignatures.length,
    );
    expect(await page.locator('#daily .day').count()).toBe(report.trends.daily.length);
    const widths = await page
      .locator('.meter .track span')
      .evaluateAll((bars) =>
        bars.map((bar) => (bar as unknown as { style: { width: string } }).style.width),
      );
    expect(widths.length).toBeGreaterThan(0);
    expect(widths).toContain('100%');
    await page.screenshot({ path: `${SCREENSHOTS}overview.png`, fullPage: true });
  });

  it('lists the alerts the failures fired and the incidents they opened', async () => {
    await page.goto(`${daemon.adminUrl}/#/alerts`);
    // The hash changes in the same document: wait for this page's heading, not any table.
    await page.waitForSelector('main h1:text-is("Alerts")');
    await page.waitForSelector('main table tbody tr');
    const alerts = await page.locator('main table tbody tr td:first-child').allTextContents();
    expect(alerts).toEqual(['AgentFailures', 'AgentFailures']);
    expect(await page.locator('main table').textContent()).toContain('service=billing');
    await page.screenshot({ path: `${SCREENSHOTS}alerts.png`, fullPage: true });

    await page.click('header nav a[href="#/incidents"]');
    await page.waitForSelector('main h1:text-is("Incidents")');
    await page.waitForSelector('main table tbody tr a[href^="#/incident/"]');
    const { body } = await api<{ incidents: { id: string }[] }>(daemon, 'GET', '/api/v1/incidents');
    expect(await page.locator('main table tbody tr').count()).toBe(body.incidents.length);
    expect(await page.locator('main table').textContent()).toContain('billing');
    await page.screenshot({ path: `${SCREENSHOTS}incidents.png`, fullPage: true });
  });

  it('serves and shows a trace whose steps nest as deep as max_steps_per_trace', async () => {
    // Deeper than JSON.stringify and a recursive walk of the steps can go: ~2,000 levels.
    const depth = 5000;
    const chain = recordChain('deep', depth);
    const traceId = chain[0]!.spanContext().traceId;
    await sendRuns(daemon, chain);
    let answer = await api<TraceDocument>(daemon, 'GET', `/api/v1/traces/${traceId}`);
    for (let attempt = 0; attempt < 100 && answer.status === 404; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await api<TraceDocument>(daemon, 'GET', `/api/v1/traces/${traceId}`);
    }
    expect(answer.status).toBe(200);
    expect(levels(answer.body.steps)).toBe(depth);
    await page.goto(`${daemon.adminUrl}/#/trace/${traceId}`);
    await page.waitForSelector('#waterfall');
    expect(await page.locator('#waterfall tbody tr').count()).toBe(depth);
  });

  it('shows HTML and script in names and messages as text, and runs none of it', async () => {
    await page.goto(`${daemon.adminUrl}/#/?q=pwned`);
    await page.waitForSelector('#queue tbody tr');
    const text = await page.locator('#queue').textContent();
    expect(text).toContain('<img src=x onerror=');
    expect(text).toContain('<script>');
    await page.locator('#queue tbody tr a').first().click();
    await page.waitForSelector('#group-message');
    expect(await page.locator('#group-message').textContent()).toContain('<script>');
    expect(await page.locator('main img, main script').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}hostile-input.png`, fullPage: true });
    // Evaluated in the page, where `globalThis` is its window.
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});

describe('the review UI behind the admin bearer token', () => {
  const TOKEN = 'review-ui-test-token-0123456789';
  let daemon: DaemonHandle;
  let browser: Browser;

  beforeAll(async () => {
    daemon = await startTriageDaemon({ adminYaml: `  bearer_token: ${TOKEN}\n` });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.cleanup();
  });

  it('says the token is missing, then sends the token the reviewer types', async () => {
    const page = await browser.newPage();
    await page.goto(`${daemon.adminUrl}/`);
    await page.waitForSelector('#error');
    expect(await page.locator('#error').textContent()).toContain('401');
    await page.fill('#token', TOKEN);
    await page.click('#token-form button');
    await page.waitForSelector('#group-count');
    expect(await page.locator('#group-count').textContent()).toBe('0 signatures');
    const answer = await api(daemon, 'GET', '/api/v1/failures', undefined, TOKEN);
    expect(answer.status).toBe(200);
  });
});

interface TraceDocument {
  steps: StepDocument[];
}
interface StepDocument {
  children: StepDocument[];
}

/** How many levels deep `steps` nest, counted without recursion. */
function levels(steps: StepDocument[]): number {
  let deepest = 0;
  const pending = steps.map((step) => ({ step, level: 1 }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    deepest = Math.max(deepest, next.level);
    for (const child of next.step.children) pending.push({ step: child, level: next.level + 1 });
  }
  return deepest;
}
