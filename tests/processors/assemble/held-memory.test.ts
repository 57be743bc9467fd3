/**
 * Held steps keep what they show, not the texts they came from. A preview is the first
 * `preview_length` characters of a message or a tool's output; V8 makes such a cut a view of
 * the whole text, so without care a held step would keep a 100 KB tool result alive for
 * `decision_wait`, and `max_held_steps` would bound nothing.
 */
import { describe, expect, it } from 'vitest';
import { spansBatch, type Span, type TelemetryBatch } from '../../../src/model/index.js';
import type { TelemetryConsumer } from '../../../src/pipeline/component.js';
import { assembleConfigSchema } from '../../../src/processors/assemble/config.js';
import { AssembleProcessor } from '../../../src/processors/assemble/processor.js';
import { sampleSpan } from '../../helpers/spans.js';
import { flatText, heldBytes } from '../../helpers/heap.js';
import { settingsFor } from '../../helpers/test-doubles.js';

const bigText = (seed: number) => flatText(seed, 100_000);

/** Forgets every batch: only what the processor holds stays reachable. */
const dropping: TelemetryConsumer = {
  consume: (_batch: TelemetryBatch) => Promise.resolve(),
  flush: () => Promise.resolve(),
};

/** Three spans of one trace whose previews and tool arguments are cut from ~100 KB texts. */
function bigSpans(trace: number): Span[] {
  const traceId = trace.toString(16).padStart(32, '0');
  const messages = (role: string, seed: number) =>
    JSON.stringify([{ role, parts: [{ type: 'text', content: bigText(seed) }] }]);
  return [
    sampleSpan({
      traceId,
      parentSpanId: '',
      name: 'invoke_agent writer',
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.input.messages': messages('user', trace),
        'gen_ai.output.messages': messages('assistant', trace + 1),
      },
    }),
    sampleSpan({
      traceId,
      parentSpanId: 'aaaaaaaaaaaaaaaa',
      name: 'chat gpt-4o',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.output.messages': messages('assistant', trace + 2),
      },
    }),
    sampleSpan({
      traceId,
      parentSpanId: 'aaaaaaaaaaaaaaaa',
      name: 'execute_tool write_file',
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'write_file',
        'gen_ai.tool.call.arguments': JSON.stringify({ text: bigText(trace + 3) }),
        'gen_ai.tool.call.result': bigText(trace + 4),
      },
    }),
  ];
}

describe('steps held by assembly', () => {
  it('keep their previews and tool arguments, not the long texts they came from', async () => {
    const processor = new AssembleProcessor(
      settingsFor('assemble', assembleConfigSchema.parse({ decision_wait: '1h', root_wait: '1h' })),
      dropping,
    );
    await processor.start();
    // A first round compiles the path, so the measured round adds only held steps.
    for (let trace = 1; trace <= 20; trace++) await processor.consume(spansBatch(bigSpans(trace)));
    const traces = 50;
    const { bytes } = await heldBytes(async () => {
      for (let trace = 1000; trace < 1000 + traces; trace++) {
        await processor.consume(spansBatch(bigSpans(trace)));
      }
    });
    // Each span brought ~100–200 KB of text; its step shows at most two 256-character previews.
    expect(bytes / (traces * 3)).toBeLessThan(8 * 1024);
    await processor.shutdown();
  });
});
