import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spansBatch } from '../../../src/model/index.js';
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

function makeProcessor(config: Record<string, unknown> = {}) {
  const next = new RecordingConsumer();
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
});
