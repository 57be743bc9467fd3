import { describe, expect, it } from 'vitest';
import { builtinFactories } from '../../../src/components.js';
import { ConfigError, validateConfig } from '../../../src/config/load.js';
import { alertConfig } from './helpers.js';

function problems(alert: unknown): string[] {
  try {
    validateConfig(
      {
        receivers: { otlp: { protocols: { http: {} } } },
        processors: { alert },
        exporters: { clickhouse: {} },
        service: {
          pipelines: {
            traces: { receivers: ['otlp'], processors: ['alert'], exporters: ['clickhouse'] },
          },
        },
      },
      'test.yaml',
      builtinFactories,
    );
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const rule = (overrides: Record<string, unknown>) => ({
  name: 'HighErrorRate',
  aggregate: 'error_rate',
  threshold: 0.1,
  ...overrides,
});

describe('alert config', () => {
  it('has safe defaults: no rules, no notifiers, 15s interval', () => {
    const config = alertConfig({});
    expect(config).toMatchObject({
      interval: 15_000,
      rules: [],
      notifiers: { alertmanager: [], webhook: [] },
    });
    expect(alertConfig({ rules: [rule({})] }).rules[0]).toMatchObject({
      op: '>',
      window: 300_000,
      for: 0,
      keep_firing_for: 0,
      min_events: 1,
      severity: 'medium',
    });
  });

  it('accepts the rules of the reference config', () => {
    expect(
      problems({
        rules: [rule({ for: '2m', group_by: ['service'], filter: { step_type: ['llm_call'] } })],
      }),
    ).toEqual([]);
  });

  it.each([
    [
      { rules: [rule({ aggregate: 'p42' })] },
      'processors.alert.rules[0].aggregate: unknown aggregate "p42"',
    ],
    [
      { rules: [rule({ filter: { colour: 'red' } })] },
      'processors.alert.rules[0].filter: unknown key "colour"',
    ],
    [
      { rules: [rule({ group_by: ['service', 'region'] })] },
      'processors.alert.rules[0].group_by[1]',
    ],
    [
      { rules: [rule({ threshold: undefined })] },
      'processors.alert.rules[0].threshold: give either threshold',
    ],
    [
      { rules: [rule({ anomaly: { k: 3 } })] },
      'processors.alert.rules[0].threshold: give either threshold',
    ],
    [{ rules: [rule({ for: 'soon' })] }, 'processors.alert.rules[0].for: invalid duration "soon"'],
    [{ rules: [rule({ op: '=>' })] }, 'processors.alert.rules[0].op'],
    [
      { rules: [rule({ annotations: { summary: '{{ .Value }}' } })] },
      'processors.alert.rules[0].annotations.summary: unknown template expression',
    ],
    [
      { rules: [rule({ labels: { alertname: 'x' } })] },
      'processors.alert.rules[0].labels.alertname',
    ],
    [
      { rules: [rule({}), rule({})] },
      'processors.alert.rules[1].name: rule "HighErrorRate" is already defined at rules[0]',
    ],
    [
      { rules: [rule({ anomaly: { method: 'zscore' }, threshold: undefined })] },
      'processors.alert.rules[0].anomaly.method',
    ],
    [
      { notifiers: { alertmanager: [{ url: 'ftp://x' }] } },
      'processors.alert.notifiers.alertmanager[0].url',
    ],
    [
      { notifiers: { webhook: [{ url: 'http://x', retry: { max_interval: '1 minute' } }] } },
      'processors.alert.notifiers.webhook[0].retry.max_interval',
    ],
    [{ interval: '50ms' }, 'processors.alert.interval: interval must be at least 100ms'],
  ])('names the path of %j', (alert, expected) => {
    expect(problems(alert).join('\n')).toContain(expected);
  });
});
