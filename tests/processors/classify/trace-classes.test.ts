import { describe, expect, it } from 'vitest';
import type { TraceStep } from '../../../src/model/index.js';
import { agentTrace, classesOf, classify } from './helpers.js';

const call = (toolName: string, toolArguments: string): Partial<TraceStep> => ({
  type: 'tool_call',
  name: `execute_tool ${toolName}`,
  toolName,
  toolArguments,
  outputPreview: '{"ok":true}',
});
const llm: Partial<TraceStep> = {
  type: 'llm_call',
  name: 'chat gpt-4o',
  outputPreview: 'Let me look.',
};
const times = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

const traceClasses = async (trace: ReturnType<typeof agentTrace>, config: unknown = {}) =>
  classesOf(await classify([], config, [trace]));

describe('agent_loop', () => {
  it('is found when one tool is called three times with the same arguments', async () => {
    const trace = agentTrace([llm, ...times(3, call('search_flights', '{"to":"LIS"}'))]);
    const [failure] = await classify([], {}, [trace]);
    expect(failure).toMatchObject({
      failureClass: 'agent_loop',
      severity: 'high',
      rule: 'builtin.agent_loop',
      traceId: trace.traceId,
      spanId: trace.steps[2]!.spanId, // the first of the repeated calls
      stepType: 'tool_call',
      operation: 'search_flights',
      message: 'tool search_flights called 3 times with the same arguments',
    });
    expect(trace.failures).toEqual([failure]);
  });

  it('counts after the configured number of repeats', async () => {
    const trace = agentTrace(times(3, call('search_flights', '{"to":"LIS"}')));
    expect(await traceClasses(trace, { budgets: { loop_repeats: 4 } })).toEqual([]);
  });

  it.each([
    [
      'different arguments',
      [call('s', '{"to":"LIS"}'), call('s', '{"to":"OPO"}'), call('s', '{"to":"FAO"}')],
    ],
    ['only two calls', times(2, call('s', '{"to":"LIS"}'))],
    ['no arguments recorded (content capture off)', times(3, call('s', ''))],
  ])('is not found for %s', async (_, steps) => {
    expect(await traceClasses(agentTrace(steps))).toEqual([]);
  });
});

describe('max_steps', () => {
  it('is found when LLM and tool calls exceed the budget', async () => {
    const trace = agentTrace([
      ...times(26, llm),
      ...times(25, call('t', '{"n":1}')).map((s, i) => ({ ...s, toolArguments: `{"n":${i}}` })),
    ]);
    const failures = await classify([], {}, [trace]);
    expect(classesOf(failures)).toEqual(['max_steps']);
    expect(failures[0]).toMatchObject({
      spanId: 'root000000000000',
      message: '51 LLM and tool calls, over the budget of 50',
    });
  });

  const chain: Partial<TraceStep> = { type: 'chain' };
  it.each([
    ['exactly the budget', times(50, llm)],
    ['many steps that are neither LLM nor tool calls', times(80, chain)],
  ])('is not found for %s', async (_, steps) => {
    expect(await traceClasses(agentTrace(steps))).toEqual([]);
  });

  it('uses the configured budget', async () => {
    expect(await traceClasses(agentTrace(times(6, llm)), { budgets: { max_steps: 5 } })).toEqual([
      'max_steps',
    ]);
  });
});

describe('empty_output', () => {
  it('is found when the root agent answered nothing while its steps produced output', async () => {
    const failures = await classify([], {}, [agentTrace([llm], { rootOutput: '  ' })]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      failureClass: 'empty_output',
      severity: 'high',
      spanId: 'root000000000000',
      message: 'empty final output from invoke_agent booker',
    });
  });

  it('judges a final_output step rather than the root', async () => {
    const finalStep = { type: 'final_output', name: 'answer', outputPreview: '' } as const;
    expect(await traceClasses(agentTrace([llm, finalStep]))).toEqual(['empty_output']);
    expect(
      await traceClasses(
        agentTrace([llm, { ...finalStep, outputPreview: 'Booked.' }], { rootOutput: '' }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['an answer', agentTrace([llm])],
    [
      'no step recording output (content capture off)',
      agentTrace([{ type: 'llm_call' }], { rootOutput: '' }),
    ],
    ['an incomplete trace', agentTrace([llm], { rootOutput: '', incomplete: true })],
    [
      "only the user's message recorded (its user_input step's preview is not output)",
      agentTrace([{ type: 'user_input', outputPreview: 'Book me a flight.' }], { rootOutput: '' }),
    ],
  ])('is not found for %s', async (_, trace) => {
    expect(await traceClasses(trace)).toEqual([]);
  });

  it('is not found when the root failed: the error is the failure', async () => {
    const trace = agentTrace([llm], { rootOutput: '' });
    trace.steps[0]!.statusCode = 2;
    expect(await traceClasses(trace)).toEqual([]);
  });
});

describe('trace rules', () => {
  it('add to failures already on the trace, and skip ones it holds (a re-emitted trace)', async () => {
    const trace = agentTrace(times(3, call('s', '{"q":1}')));
    const first = await classify([], {}, [trace]);
    const again = await classify([], {}, [trace]);
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
    expect(trace.failures).toHaveLength(1);
  });

  it('give the same failure id when the trace is emitted again with more steps', async () => {
    const trace = agentTrace(times(3, call('s', '{"q":1}')));
    const [first] = await classify([], {}, [trace]);
    const grown = agentTrace([llm, call('s', '{"q":1}')]);
    const reemitted = {
      ...trace,
      steps: [...trace.steps, ...grown.steps.slice(1)],
      failures: [],
      version: 2,
    };
    const [later] = await classify([], {}, [reemitted]);
    expect(later!.failureId).toBe(first!.failureId);
  });

  it('run user trace rules with their own conditions and templates', async () => {
    const config = {
      rules: [
        {
          name: 'slow_failing_booking',
          level: 'trace',
          class: 'slow_failure',
          severity: 'critical',
          when: {
            duration_over: '60s',
            name_matches: '^invoke_agent',
            failure_class: ['tool_error'],
          },
          message: '{trace.root_name} took {trace.duration_ms} ms and {step.tool_name} failed',
        },
      ],
    };
    const trace = agentTrace([call('pay', '{"amount":12}')]);
    trace.steps[1]!.failures.push({ failureClass: 'tool_error' } as never);
    const failures = await classify([], config, [trace]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      failureClass: 'slow_failure',
      severity: 'critical',
      rule: 'slow_failing_booking',
      spanId: trace.steps[1]!.spanId,
      message: 'invoke_agent booker took 101000 ms and pay failed',
    });
    const quick = agentTrace([call('pay', '{"amount":12}')]);
    quick.steps[0]!.endTimeUnixNano = quick.steps[0]!.startTimeUnixNano + 1_000_000n;
    quick.steps[1]!.failures.push({ failureClass: 'tool_error' } as never);
    expect(await classify([], config, [quick])).toEqual([]);
  });

  it('support any_of, not and incomplete', async () => {
    const config = {
      rules: [
        {
          name: 'abandoned',
          level: 'trace',
          class: 'abandoned',
          severity: 'low',
          when: {
            incomplete: true,
            any_of: [
              { step_count: { over: 1, step_type: 'tool_call' } },
              { name_matches: 'refund' },
            ],
            not: { failure_class: 'tool_error' },
          },
        },
      ],
    };
    const tools = [call('a', '1'), call('b', '2')];
    expect(await traceClasses(agentTrace(tools, { incomplete: true }), config)).toEqual([
      'abandoned',
    ]);
    expect(await traceClasses(agentTrace(tools), config)).toEqual([]);
    expect(await traceClasses(agentTrace(tools.slice(1), { incomplete: true }), config)).toEqual(
      [],
    );
  });
});
