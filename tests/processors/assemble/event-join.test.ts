import { describe, expect, it } from 'vitest';
import {
  KeyValueList,
  emptyRecord,
  type Attributes,
  type LogRecord,
} from '../../../src/model/index.js';
import { previewer } from '../../../src/processors/assemble/convert/fields/previews.js';
import { GenAiEventJoin } from '../../../src/processors/assemble/event-join.js';
import { sampleSpan, stepInfo, traceStep } from '../../helpers/spans.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const span = sampleSpan();

function event(
  spanId: string,
  eventName: string,
  body: LogRecord['body'],
  attributes: Attributes = {},
) {
  return {
    timeUnixNano: 1n,
    observedTimeUnixNano: 1n,
    severityNumber: 9,
    severityText: '',
    body,
    attributes: Object.assign(emptyRecord<Attributes[string]>(), attributes),
    droppedAttributesCount: 0,
    flags: 0,
    traceId: TRACE,
    spanId,
    eventName,
    resource: span.resource,
    scope: span.scope,
  } satisfies LogRecord;
}

const kv = (entries: Record<string, string>) => new KeyValueList(entries);

const makeJoin = (maxPendingBytes = 1 << 20, maxRememberedSteps = 100) =>
  new GenAiEventJoin({ maxPendingBytes, maxRememberedSteps, previews: previewer(256) });

describe('GenAiEventJoin', () => {
  it('joins per-message events held before the span, the last user turn as input', () => {
    const join = makeJoin();
    join.addEvents([
      event('a'.repeat(16), '', kv({ content: 'Be brief.' }), {
        'event.name': 'gen_ai.system.message',
      }),
      event('a'.repeat(16), 'gen_ai.user.message', kv({ content: 'Weather in Porto?' })),
      event('a'.repeat(16), 'gen_ai.choice', kv({ finish_reason: 'length' })),
    ]);
    const step = stepInfo();
    const held = traceStep();
    join.joinSpan(TRACE, 'a'.repeat(16), step, held);
    expect(step.inputPreview).toBe('Weather in Porto?');
    expect(step.finishReasons).toEqual(['length']);
    expect(join.heldSpans).toBe(0);
  });

  it('never replaces what the span said itself', () => {
    const join = makeJoin();
    const step = stepInfo({ outputPreview: 'from the span', finishReasons: ['stop'] });
    const held = traceStep({ outputPreview: 'from the span' });
    join.joinSpan(TRACE, 'b'.repeat(16), step, held);
    join.addEvents([
      event('b'.repeat(16), 'gen_ai.client.inference.operation.details', '', {
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: 'from events' }]),
        'gen_ai.response.finish_reasons': ['length'],
      }),
    ]);
    expect(step.outputPreview).toBe('from the span');
    expect(held.outputPreview).toBe('from the span');
    expect(step.finishReasons).toEqual(['stop']);
  });

  it('updates a remembered step with events that come later, all content so far', () => {
    const join = makeJoin();
    const step = stepInfo();
    const held = traceStep();
    join.joinSpan(TRACE, 'c'.repeat(16), step, held);
    join.addEvents([event('c'.repeat(16), 'gen_ai.system.message', kv({ content: 'Be brief.' }))]);
    join.addEvents([event('c'.repeat(16), 'gen_ai.user.message', kv({ content: 'And Braga?' }))]);
    join.addEvents([
      event('c'.repeat(16), 'gen_ai.choice', kv({}), { ignored: 'x' }),
      event(
        'c'.repeat(16),
        'gen_ai.choice',
        new KeyValueList({
          finish_reason: 'stop',
          message: kv({ content: 'Rainy.' }),
        }),
      ),
    ]);
    expect(step.inputPreview).toBe('And Braga?');
    expect(held.outputPreview).toBe('Rainy.');
    expect(step.finishReasons).toEqual(['stop']);
  });

  it('ignores records that are not GenAI events or name no span', () => {
    const join = makeJoin();
    join.addEvents([
      event('d'.repeat(16), 'app.started', 'hello'),
      event('', 'gen_ai.user.message', kv({ content: 'no span' })),
    ]);
    expect(join.heldSpans).toBe(0);
  });

  it('holds event content within its byte bound, dropping the oldest', () => {
    const join = makeJoin(2_000);
    for (let i = 0; i < 50; i++) {
      const spanId = i.toString(16).padStart(16, '0');
      join.addEvents([event(spanId, 'gen_ai.user.message', kv({ content: 'x'.repeat(300) }))]);
    }
    expect(join.heldSpans).toBeGreaterThan(0);
    expect(join.heldSpans).toBeLessThan(10);
    // The newest is still held; the first went long ago.
    const newest = stepInfo();
    join.joinSpan(TRACE, (49).toString(16).padStart(16, '0'), newest, traceStep());
    expect(newest.inputPreview).toBe('x'.repeat(256));
    const oldest = stepInfo();
    join.joinSpan(TRACE, '0'.repeat(16), oldest, traceStep());
    expect(oldest.inputPreview).toBe('');
  });

  it('remembers for late events only steps they can be about: model calls, not tools', () => {
    const join = makeJoin();
    const tool = stepInfo({ type: 'tool_call' });
    join.joinSpan(TRACE, '4'.repeat(16), tool, traceStep());
    join.addEvents([event('4'.repeat(16), 'gen_ai.user.message', kv({ content: 'late' }))]);
    expect(tool.inputPreview).toBe('');
    expect(join.heldSpans).toBe(1);
    const call = stepInfo({ type: 'llm_call' });
    join.joinSpan(TRACE, '5'.repeat(16), call, traceStep());
    join.addEvents([event('5'.repeat(16), 'gen_ai.user.message', kv({ content: 'late' }))]);
    expect(call.inputPreview).toBe('late');
    expect(join.heldSpans).toBe(1);
  });

  it('remembers at most max_remembered_steps steps for late events', () => {
    const join = makeJoin(1 << 20, 2);
    const first = stepInfo();
    join.joinSpan(TRACE, '1'.repeat(16), first, traceStep());
    join.joinSpan(TRACE, '2'.repeat(16), stepInfo(), traceStep());
    join.joinSpan(TRACE, '3'.repeat(16), stepInfo(), traceStep());
    join.addEvents([event('1'.repeat(16), 'gen_ai.user.message', kv({ content: 'late' }))]);
    expect(first.inputPreview).toBe('');
    // Not remembered any more, so held as if its span were still to come.
    expect(join.heldSpans).toBe(1);
  });
});
