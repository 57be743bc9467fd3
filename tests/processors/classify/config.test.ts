import { describe, expect, it } from 'vitest';
import { builtinFactories } from '../../../src/components.js';
import { ConfigError, parseConfig, type ConfigProblem } from '../../../src/config/load.js';
import {
  factoryMap,
  type Factories,
  type ProcessorFactory,
} from '../../../src/pipeline/factory.js';
import { classifyConfigSchema } from '../../../src/processors/classify/config.js';
import { classifyProcessorFactory } from '../../../src/processors/classify/factory.js';

const factories: Factories = {
  ...builtinFactories,
  processors: factoryMap<ProcessorFactory>([
    ...builtinFactories.processors.values(),
    classifyProcessorFactory,
  ]),
};

/** A whole config file with `classify` (indented YAML) as the processor's section. */
const withClassify = (classify: string) => `receivers:
  otlp:
processors:
  classify:
${classify}
exporters:
  clickhouse:
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [classify]
      exporters: [clickhouse]
`;

function problemsOf(classify: string): ConfigProblem[] {
  try {
    parseConfig(withClassify(classify), 'test.yaml', factories, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

const rule = (when: string, extra = '') => `    rules:
      - name: probe
        class: probe
        severity: low
${extra}        when:
${when}`;

describe('classify config', () => {
  it('defaults everything from an empty section', () => {
    const config = parseConfig(withClassify('    {}'), 'test.yaml', factories, {});
    expect(config.components.processors[0]!.config).toEqual(classifyConfigSchema.parse({}));
    expect(classifyConfigSchema.parse({})).toMatchObject({
      overlap: 'suppress',
      rules: [],
      budgets: {
        max_steps: 50,
        loop_repeats: 3,
        step_duration: { llm_call: 120_000, tool_call: 60_000 },
      },
      thresholds: { hallucination: 0.5, low_quality: 0.5 },
      max_message_length: 512,
      metrics: { max_services: 100 },
    });
  });

  it('accepts the rule format of the README', () => {
    const config = parseConfig(
      withClassify(`    builtins:
      http_4xx: false
      timeout: { severity: critical }
    budgets:
      step_duration: { llm_call: 90s }
    rules:
      - name: payment_declined
        class: payment_declined
        severity: critical
        when:
          step_type: tool_call
          status: error
          attribute_equals: { step.tool_name: [issue_refund, charge_card] }
          attribute_matches: { exception.message: "(?i)card_declined" }
          attribute_compare: [{ key: http.response.status_code, op: ">=", value: 400 }]
          any_of:
            - duration_over: 30s
            - event_names: [exception]
        suppresses: [tool_error]
        message: "{step.tool_name} declined: {exception.message|span.status_message}"
      - name: slow_trace
        level: trace
        class: slow_trace
        severity: low
        when: { duration_over: 5m }`),
      'test.yaml',
      factories,
      {},
    );
    expect(config.components.processors[0]!.config).toMatchObject({
      builtins: { http_4xx: { enabled: false }, timeout: { enabled: true, severity: 'critical' } },
      rules: [
        {
          name: 'payment_declined',
          level: 'span',
          when: { step_type: ['tool_call'], status: ['error'] },
        },
        { name: 'slow_trace', level: 'trace', when: { duration_over: 300_000 } },
      ],
    });
  });

  it.each([
    [
      'an invalid regex, naming the attribute',
      rule(`          attribute_matches: { tool.name: "([a-z" }\n`),
      'processors.classify.rules[0].when.attribute_matches.tool.name',
      /^invalid regex "\(\[a-z": /,
    ],
    [
      'an invalid regex inside any_of',
      rule(`          any_of:\n            - name_matches: "*oops"\n`),
      'processors.classify.rules[0].when.any_of[0].name_matches',
      /^invalid regex "\*oops": Nothing to repeat/,
    ],
    [
      'a misspelt condition',
      rule(`          atribute_exists: [x]\n`),
      'processors.classify.rules[0].when',
      /unknown key "atribute_exists"/,
    ],
    [
      'an unknown step type',
      rule(`          step_type: [tool_cal]\n`),
      'processors.classify.rules[0].when.step_type[0]',
      /expected one of .*"tool_call"/,
    ],
    [
      'an unknown step field',
      rule(`          attribute_equals: { step.toolname: x }\n`),
      'processors.classify.rules[0].when.attribute_equals.step.toolname',
      /unknown field "step.toolname" \(did you mean "step.tool_name"\?\)/,
    ],
    [
      'an unknown field in the message template',
      rule(`          status: error\n`, `        message: "{step.tool} failed"\n`),
      'processors.classify.rules[0].message',
      /in \{step.tool\}: unknown field/,
    ],
    [
      'a span condition in a trace rule',
      rule(`          step_type: tool_call\n`, `        level: trace\n`),
      'processors.classify.rules[0].when',
      /unknown key "step_type"/,
    ],
    [
      'a span field in a trace template',
      rule(
        `          incomplete: true\n`,
        `        level: trace\n        message: "{span.name}"\n`,
      ),
      'processors.classify.rules[0].message',
      /unknown trace field "span.name"/,
    ],
    [
      'an empty when',
      rule(`          {}\n`),
      'processors.classify.rules[0].when',
      /at least one condition/,
    ],
    [
      'a bad duration',
      rule(`          duration_over: 30 seconds\n`),
      'processors.classify.rules[0].when.duration_over',
      /invalid duration/,
    ],
    [
      'a bad comparison',
      rule(`          attribute_compare: [{ key: x, op: "=>", value: 1 }]\n`),
      'processors.classify.rules[0].when.attribute_compare[0].op',
      /expected one of/,
    ],
    [
      'a bad level',
      rule(`          status: error\n`, `        level: spam\n`),
      'processors.classify.rules[0].level',
      /level must be span or trace/,
    ],
    [
      'a class that is not snake_case',
      rule(`          status: error\n`).replace('class: probe', 'class: Probe Class'),
      'processors.classify.rules[0].class',
      /lower_snake_case/,
    ],
    [
      'a reserved rule name',
      rule(`          status: error\n`).replace('name: probe', 'name: builtin.probe'),
      'processors.classify.rules[0].name',
      /reserved/,
    ],
    [
      'an unknown built-in',
      '    builtins: { timout: false }\n',
      'processors.classify.builtins',
      /unknown key "timout"/,
    ],
    [
      'an unknown severity override',
      '    builtins: { timeout: { severity: urgent } }\n',
      'processors.classify.builtins.timeout.severity',
      /expected one of "critical"\|"high"\|"medium"\|"low"/,
    ],
    [
      'a budget for an unknown step type',
      '    budgets: { step_duration: { llm: 10s } }\n',
      'processors.classify.budgets.step_duration',
      /unknown key "llm"/,
    ],
    [
      'a rule suppressing its own class',
      rule(`          status: error\n`, `        suppresses: [probe]\n`),
      'processors.classify.rules[0].suppresses',
      /cannot suppress its own class "probe"/,
    ],
    [
      'a suppression cycle through a built-in',
      rule(`          status: error\n`, `        suppresses: [timeout]\n`).replace(
        'class: probe',
        'class: tool_error',
      ),
      'processors.classify.rules[0].suppresses[0]',
      /cycle \(tool_error → timeout → tool_error\)/,
    ],
  ])('names the path of %s', (_, section, path, message) => {
    const problems = problemsOf(section);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)!.message).toMatch(message);
  });

  it('reports duplicate rule names at the second one', () => {
    const twice = `    rules:
      - { name: same, class: a, severity: low, when: { status: error } }
      - { name: same, class: b, severity: low, when: { status: ok } }
`;
    expect(problemsOf(twice)).toEqual([
      {
        path: 'processors.classify.rules[1].name',
        message: '"same" is already the name of rules[0]',
      },
    ]);
  });

  it('reports every problem of a section at once', () => {
    const problems = problemsOf(`    overlap: sometimes
    max_message_length: 5
${rule(`          attribute_matches: { a: "(" , b: ")" }\n`)}`);
    expect(problems.map((p) => p.path).sort()).toEqual([
      'processors.classify.max_message_length',
      'processors.classify.overlap',
      'processors.classify.rules[0].when.attribute_matches.a',
      'processors.classify.rules[0].when.attribute_matches.b',
    ]);
  });
});
