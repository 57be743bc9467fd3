import { describe, expect, it } from 'vitest';
import { builtinFactories } from '../../../src/components.js';
import { ConfigError, parseConfig, type ConfigProblem } from '../../../src/config/load.js';

const config = (prometheus: string) => `receivers:
  otlp:
exporters:
  clickhouse:
  prometheus:
${prometheus}
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [clickhouse, prometheus]
`;

function problems(text: string): ConfigProblem[] {
  try {
    parseConfig(text, 'test.yaml', builtinFactories, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

describe('prometheus exporter config', () => {
  it('takes per-metric overrides of the label limit', () => {
    const parsed = parseConfig(
      config(
        '    max_label_values: 50\n    metric_overrides:\n      gen_ai_client_token_usage: { max_label_values: 5 }',
      ),
      'test.yaml',
      builtinFactories,
      {},
    );
    expect(parsed.components.exporters.find((c) => c.id === 'prometheus')?.config).toEqual({
      max_label_values: 50,
      max_series: 20_000,
      metric_overrides: { gen_ai_client_token_usage: { max_label_values: 5 } },
      exemplars: true,
    });
  });

  it('names the YAML path of a bad limit and of an unknown metric', () => {
    expect(problems(config('    max_label_values: 0')).map((p) => p.path)).toEqual([
      'exporters.prometheus.max_label_values',
    ]);
    expect(
      problems(
        config('    metric_overrides:\n      gen_ai_client_token_usage: { max_series: -1 }'),
      ).map((p) => p.path),
    ).toEqual(['exporters.prometheus.metric_overrides.gen_ai_client_token_usage.max_series']);
    const unknown = problems(
      config('    metric_overrides:\n      no_such_metric: { max_label_values: 5 }'),
    );
    expect(unknown).toEqual([
      { path: 'exporters.prometheus.metric_overrides', message: 'unknown key "no_such_metric"' },
    ]);
  });
});
