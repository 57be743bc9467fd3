import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { promtool } from '../helpers/promtool.js';

/** The example Prometheus files under config/prometheus/, checked by Prometheus's own tool. */

const CONFIG = fileURLToPath(new URL('../../config/prometheus/prometheus.yml', import.meta.url));
const RULES = fileURLToPath(
  new URL('../../config/prometheus/faultline-rules.yml', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'faultline-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config/prometheus', () => {
  it('prometheus.yml passes promtool check config, with its rule file', async () => {
    const { code, output } = await promtool(['check', 'config', CONFIG]);
    expect(output).toContain('SUCCESS: 1 rule files found');
    expect(code).toBe(0);
  });

  it('faultline-rules.yml passes promtool check rules', async () => {
    const { code, output } = await promtool(['check', 'rules', RULES]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(code).toBe(0);
  });

  it('its alerts fire on the series the daemon exports, and stay quiet below their thresholds', async () => {
    // promtool's rule unit tests: synthetic series named and labelled as /metrics names them.
    const tests = join(dir, 'rules.test.yml');
    writeFileSync(
      tests,
      JSON.stringify({
        rule_files: [RULES],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series:
                  'traces_span_metrics_calls_total{service_name="support-bot",span_name="chat",span_kind="SPAN_KIND_CLIENT",status_code="STATUS_CODE_UNSET"}',
                values: '0+600x30',
              },
              {
                series:
                  'traces_span_metrics_calls_total{service_name="support-bot",span_name="chat",span_kind="SPAN_KIND_CLIENT",status_code="STATUS_CODE_ERROR"}',
                values: '0+60x30',
              },
              {
                series:
                  'faultline_llm_cost_usd_total{gen_ai_request_model="gpt-4o",gen_ai_provider_name="openai"}',
                values: '0+1x60',
              },
            ],
            alert_rule_test: [
              {
                eval_time: '20m',
                alertname: 'AgentSpanErrorRateHigh',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'warning', service_name: 'support-bot' },
                    exp_annotations: {
                      summary: 'More than 5% of spans of support-bot end in error',
                      description: '9.091% of spans failed over the last 5 minutes.',
                    },
                  },
                ],
              },
              // $1 a minute is $60 an hour, above the $50 threshold only once an hour has passed.
              { eval_time: '30m', alertname: 'LLMSpendHigh', exp_alerts: [] },
              {
                eval_time: '60m',
                alertname: 'LLMSpendHigh',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'warning' },
                    exp_annotations: {
                      summary: 'LLM spend above $50 in the last hour',
                      description: '$60.00 spent in the last hour.',
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const { code, output } = await promtool(['test', 'rules', tests]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });
});
