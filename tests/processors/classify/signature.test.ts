import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/model/index.js';
import { failureId, normaliseMessage } from '../../../src/processors/classify/signature.js';
import { sampleSpan } from '../../helpers/spans.js';
import { classifier, classify, raised, stepSpan, toolStep } from './helpers.js';

describe('normaliseMessage', () => {
  it.each([
    ['Order 12345 not found', 'order <*> not found'],
    ['took 1.5s, limit 10.0.0.1:8080', 'took <*>, limit <*>'],
    ['user_8f3a2 has no card', 'user_<*> has no card'],
    ['request 0x1f2e3d4c failed', 'request <*> failed'],
    ['trace 0af7651916cd43dd8448eb211c80319c lost', 'trace <*> lost'],
    ['id 123e4567-e89b-12d3-a456-426614174000 gone', 'id <*> gone'],
    ['id DEADBEEF-dead-beef-dead-beefdeadbeef gone', 'id <*> gone'],
    [`no key "sku" in 'cart'`, 'no key <*> in <*>'],
    ["can't find it, won't retry", "can't find it, won't retry"],
    ['mail jane.doe@example.com now', 'mail <*> now'],
    ['GET https://api.example.com/v1/orders?id=7 failed', 'get <*> failed'],
    ['sent to <EMAIL> and <PHONE>', 'sent to <*> and <*>'],
    ['  many\n\tspaces   here ', 'many spaces here'],
  ])('%j → %j', (message, normalised) => {
    expect(normaliseMessage(message)).toBe(normalised);
  });
});

/** A failed `lookup_order` call in `service` with `message`. */
const failedLookup = (message: string, tool = 'lookup_order', service = 'booking-agent'): Span =>
  stepSpan(toolStep(tool), {
    ...raised('KeyError', message),
    traceId: Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32),
    resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0, schemaUrl: '' },
  });

const signatureOf = async (span: Span) => (await classify([span]))[0]!.signature;

describe('signatures', () => {
  it('group the same failure with different numbers, ids, users, UUIDs and redactions', async () => {
    const variants = [
      'order ord_48213 for user_8f3a2 not found (request 123e4567-e89b-12d3-a456-426614174000, 3 retries)',
      'order ord_99 for user_0c1d not found (request 9b2f2c1e-0000-4c3b-8d7e-2a1b3c4d5e6f, 12 retries)',
      'order  ord_7 for user_41   not found (request 00000000-0000-0000-0000-000000000000, 1 retries)',
    ];
    const signatures = new Set(
      await Promise.all(variants.map((m) => signatureOf(failedLookup(m)))),
    );
    expect(signatures.size).toBe(1);
    const redacted = await Promise.all(
      [
        'no account for <EMAIL>',
        'no account for "jane@example.com"',
        'no account for bob@example.org',
      ].map((m) => signatureOf(failedLookup(m))),
    );
    expect(new Set(redacted).size).toBe(1);
  });

  it('tell different tools, classes, services and messages apart', async () => {
    const base = await signatureOf(failedLookup('order 1 not found'));
    expect(await signatureOf(failedLookup('order 1 not found', 'issue_refund'))).not.toBe(base);
    expect(
      await signatureOf(failedLookup('order 1 not found', 'lookup_order', 'other-agent')),
    ).not.toBe(base);
    expect(await signatureOf(failedLookup('payment 1 declined'))).not.toBe(base);
    const timeout = failedLookup('order 1 not found');
    timeout.events[0]!.attributes['exception.type'] = 'TimeoutError';
    const [failure] = await classify([timeout]);
    expect(failure!.failureClass).toBe('timeout');
    expect(failure!.signature).not.toBe(base);
  });

  it('are 32 hex characters, as are failure ids', async () => {
    const [failure] = await classify([failedLookup('x')]);
    expect(failure!.signature).toMatch(/^[0-9a-f]{32}$/);
    expect(failure!.failureId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('failure ids', () => {
  it('are stable across re-delivery of the same span', async () => {
    const span = stepSpan(toolStep('lookup_order'), raised('KeyError', 'x'));
    const [first] = await classify([structuredClone(span)]);
    const [again] = await classify([structuredClone(span)]);
    expect(again!.failureId).toBe(first!.failureId);
    expect(first!.failureId).toBe(
      failureId(span.traceId, span.spanId, 'builtin.tool_error', 'tool_error'),
    );
  });

  it('differ between spans, rules and classes', () => {
    const ids = new Set([
      failureId('t', 's1', 'builtin.tool_error', 'tool_error'),
      failureId('t', 's2', 'builtin.tool_error', 'tool_error'),
      failureId('t', 's1', 'my_rule', 'tool_error'),
      failureId('t', 's1', 'builtin.timeout', 'timeout'),
    ]);
    expect(ids.size).toBe(4);
  });

  it('keep a span delivered twice through one processor to one failure', async () => {
    const { processor } = await classifier();
    const span = stepSpan(toolStep('lookup_order'), raised('KeyError', 'x'));
    const first = { spans: [span], traces: [], failures: [] };
    const second = { spans: [span], traces: [], failures: [] };
    await processor.consume(first);
    await processor.consume(second);
    expect(first.failures).toHaveLength(1);
    expect(second.failures).toHaveLength(0);
    expect(span.failures).toHaveLength(1);
  });
});

describe('messages', () => {
  it('are cut to max_message_length', async () => {
    const span = sampleSpan({ statusCode: 2, statusMessage: `boom ${'x'.repeat(5000)}` });
    const [failure] = await classify([span], { max_message_length: 64 });
    expect(failure!.message).toHaveLength(64);
    expect(failure!.message.endsWith('…')).toBe(true);
  });

  it('put one line together and drop separators an empty placeholder left', async () => {
    const span = sampleSpan({ name: 'db query', statusCode: 2, statusMessage: '' });
    expect((await classify([span]))[0]!.message).toBe('db query failed');
    const multiline = sampleSpan({ statusCode: 2, statusMessage: 'line one\n\n  line two' });
    expect((await classify([multiline]))[0]!.message).toBe('sample failed: line one line two');
  });
});
