import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  spansBatch,
  summarizeTrace,
  type AgentTrace,
  type TelemetryBatch,
} from '../../../src/model/index.js';
import type { TelemetryConsumer } from '../../../src/pipeline/component.js';
import { PermanentError, RetryableError } from '../../../src/pipeline/errors.js';
import { assembleConfigSchema } from '../../../src/processors/assemble/config.js';
import { AssembleProcessor } from '../../../src/processors/assemble/processor.js';
import { sampleSpan } from '../../helpers/spans.js';
import { RecordingConsumer, settingsFor } from '../../helpers/test-doubles.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const llmSpan = (spanId: string, parentSpanId: string) =>
  sampleSpan({
    traceId: TRACE,
    spanId,
    parentSpanId,
    name: 'chat gpt-4o',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 100n,
      'gen_ai.usage.output_tokens': 20n,
    },
  });

/** An `invoke_agent` root carrying the run's GenAI messages, as agent SDKs record it. */
const agentRoot = (spanId: string) =>
  sampleSpan({
    traceId: TRACE,
    spanId,
    parentSpanId: '',
    name: 'invoke_agent booker',
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'booker',
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: 'You book flights.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Paris on Friday?' }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Booked AF1234.' }] },
      ]),
    },
  });

function makeProcessor<Next extends TelemetryConsumer = RecordingConsumer>(
  config: Record<string, unknown> = {},
  next: Next = new RecordingConsumer() as unknown as Next,
) {
  const processor = new AssembleProcessor(
    settingsFor(
      'assemble',
      assembleConfigSchema.parse({ decision_wait: '1s', root_wait: '5s', ...config }),
    ),
    next,
  );
  return { next, processor };
}

describe('AssembleProcessor', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes spans on at once, each with its step attached', async () => {
    const { next, processor } = makeProcessor();
    await processor.start();
    await processor.consume(spansBatch([llmSpan('a'.repeat(16), '')]));
    const [batch] = next.batches;
    expect(batch?.spans[0]?.step).toMatchObject({ type: 'llm_call', requestModel: 'gpt-4o' });
    expect(batch?.spans[0]?.failures).toEqual([]);
    expect(batch?.traces).toEqual([]);
    await processor.shutdown();
  });

  it('hands on the assembled trace after decision_wait, its steps sharing the spans failure lists', async () => {
    const { next, processor } = makeProcessor();
    await processor.start();
    const root = llmSpan('1'.repeat(16), '');
    const child = llmSpan('2'.repeat(16), '1'.repeat(16));
    await processor.consume(spansBatch([child]));
    await processor.consume(spansBatch([root]));
    await vi.advanceTimersByTimeAsync(900);
    expect(next.traces()).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    const [trace] = next.traces();
    expect(trace?.traceId).toBe(TRACE);
    expect(trace?.incomplete).toBe(false);
    expect(trace?.steps.map((s) => s.spanId)).toEqual(['2'.repeat(16), '1'.repeat(16)]);
    expect(trace?.steps[0]?.failures).toBe(child.failures);
    await processor.shutdown();
  });

  it('holds long tool arguments by digest, so equal ones still compare equal for loop detection', async () => {
    const { next, processor } = makeProcessor();
    await processor.start();
    const long = (text: string) => JSON.stringify({ path: 'notes.md', text: text.repeat(100) });
    const tool = (spanId: string, args: string) =>
      sampleSpan({
        traceId: TRACE,
        spanId,
        parentSpanId: 'f'.repeat(16),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'write_file',
          'gen_ai.tool.call.arguments': args,
        },
      });
    await processor.consume(
      spansBatch([
        tool('1'.repeat(16), long('same text. ')),
        tool('2'.repeat(16), long('same text. ')),
        tool('3'.repeat(16), long('other text ')),
        tool('4'.repeat(16), ' '.repeat(300)),
        tool('5'.repeat(16), '{"path":"notes.md"}'),
      ]),
    );
    await processor.shutdown();
    const held = next.traces()[0]!.steps.map((s) => s.toolArguments);
    expect(held[0]).toMatch(/^sha256:/);
    expect(held[0]).toBe(held[1]);
    expect(held[2]).not.toBe(held[0]);
    expect(held.slice(3)).toEqual(['', '{"path":"notes.md"}']);
  });

  it('flushes the oldest trace as incomplete when max_traces is exceeded', async () => {
    const { next, processor } = makeProcessor({ max_traces: 1 });
    await processor.start();
    await processor.consume(
      spansBatch([sampleSpan({ traceId: 'a'.repeat(32), parentSpanId: 'f'.repeat(16) })]),
    );
    await processor.consume(
      spansBatch([sampleSpan({ traceId: 'b'.repeat(32), parentSpanId: 'f'.repeat(16) })]),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(next.traces().map((t) => [t.traceId, t.incomplete])).toEqual([['a'.repeat(32), true]]);
    await processor.shutdown();
  });

  it('hands on every held trace at shutdown, and then refuses new spans', async () => {
    const { next, processor } = makeProcessor();
    await processor.start();
    await processor.consume(spansBatch([llmSpan('1'.repeat(16), '')]));
    await processor.shutdown();
    expect(next.traces()).toHaveLength(1);
    await expect(
      processor.consume(spansBatch([llmSpan('3'.repeat(16), '')])),
    ).rejects.toMatchObject({
      retryable: true,
    });
  });

  it('hands traces on in batches cut by their steps, so a long trace is classified on its own', async () => {
    const { next, processor } = makeProcessor();
    await processor.start();
    const spansOf = (traceId: string, steps: number) =>
      Array.from({ length: steps }, (_, i) =>
        sampleSpan({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: '' }),
      );
    const [long, medium, short1, short2] = ['a', 'b', 'c', 'd'].map((c) => c.repeat(32));
    await processor.consume(spansBatch(spansOf(long!, 700)));
    await processor.consume(spansBatch(spansOf(medium!, 400)));
    await processor.consume(spansBatch([...spansOf(short1!, 5), ...spansOf(short2!, 5)]));
    await processor.shutdown();
    const handed = next.batches
      .filter((batch) => batch.traces.length > 0)
      .map((batch) => batch.traces.map((trace) => [trace.traceId, trace.steps.length]));
    expect(handed).toEqual([
      [[long, 700]],
      [
        [medium, 400],
        [short1, 5],
        [short2, 5],
      ],
    ]);
  });

  it('takes back the steps of a batch refused downstream, so the retry is their first delivery', async () => {
    const next = new RecordingConsumer();
    let refuse = true;
    const refusing = {
      consume: (batch: TelemetryBatch) =>
        refuse && batch.spans.length > 0
          ? Promise.reject(new RetryableError('queue full', 'queue_full'))
          : next.consume(batch),
      flush: () => next.flush(),
    };
    const { processor } = makeProcessor({}, refusing);
    await processor.start();
    const spans = () => [llmSpan('1'.repeat(16), ''), llmSpan('2'.repeat(16), '1'.repeat(16))];
    await expect(processor.consume(spansBatch(spans()))).rejects.toBeInstanceOf(RetryableError);
    refuse = false;
    const retry = spansBatch(spans());
    await processor.consume(retry);
    expect(retry.spans.map((span) => span.duplicate)).toEqual([undefined, undefined]);
    await vi.advanceTimersByTimeAsync(1300);
    expect(next.traces().map((t) => t.steps.length)).toEqual([2]);
    await processor.shutdown();
  });

  it("adds the root agent's user_input and final_output steps to the trace, the same on every emission", async () => {
    const { next, processor } = makeProcessor({ late_span_window: '1m' });
    await processor.start();
    const rootId = '1'.repeat(16);
    const spans = () => [agentRoot(rootId), llmSpan('2'.repeat(16), rootId)];
    await processor.consume(spansBatch(spans()));
    await vi.advanceTimersByTimeAsync(1300);
    // Redelivered spans change nothing; a late span re-emits the trace with the same steps.
    await processor.consume(spansBatch(spans()));
    await processor.consume(spansBatch([llmSpan('3'.repeat(16), rootId)]));
    await vi.advanceTimersByTimeAsync(1300);
    const derived = (trace: AgentTrace) =>
      trace.steps
        .filter((step) => step.derived)
        .map((step) => [step.spanId, step.parentSpanId, step.type, step.outputPreview]);
    const expected = [
      [`${rootId}:user_input`, rootId, 'user_input', 'Paris on Friday?'],
      [`${rootId}:final_output`, rootId, 'final_output', 'Booked AF1234.'],
    ];
    const [first, second] = next.traces();
    expect(next.traces()).toHaveLength(2);
    expect(derived(first!)).toEqual(expected);
    expect(derived(second!)).toEqual(expected);
    expect(summarizeTrace(second!).spanCount).toBe(3);
    await processor.shutdown();
  });

  it('derives no step the tracer helper already recorded', async () => {
    const { next, processor } = makeProcessor();
    await processor.start();
    const rootId = '1'.repeat(16);
    const explicitInput = sampleSpan({
      traceId: TRACE,
      parentSpanId: rootId,
      name: 'user_input',
      attributes: { 'faultline.step.type': 'user_input', 'input.value': 'Paris on Friday?' },
    });
    await processor.consume(spansBatch([explicitInput, agentRoot(rootId)]));
    await vi.advanceTimersByTimeAsync(1300);
    const [trace] = next.traces();
    expect(trace?.steps.map((step) => [step.type, step.derived ?? false])).toEqual([
      ['user_input', false],
      ['agent', false],
      ['final_output', true],
    ]);
    await processor.shutdown();
  });

  it('drops assembled traces refused for good instead of retrying them on every tick', async () => {
    let attempts = 0;
    const refusing = {
      consume: (batch: TelemetryBatch) => {
        if (batch.traces.length === 0) return Promise.resolve();
        attempts++;
        return Promise.reject(new PermanentError('cannot be stored', 'invalid'));
      },
      flush: () => Promise.resolve(),
    };
    const { processor } = makeProcessor({}, refusing);
    await processor.start();
    await processor.consume(spansBatch([llmSpan('1'.repeat(16), '')]));
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempts).toBe(1);
    await processor.shutdown();
    expect(attempts).toBe(1);
  });
});
