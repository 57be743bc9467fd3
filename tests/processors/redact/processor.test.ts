import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  KeyValueList,
  emptyRecord,
  spansBatch,
  type Attributes,
  type Span,
} from '../../../src/model/index.js';
import { RetryableError } from '../../../src/pipeline/errors.js';
import { redactProcessorFactory } from '../../../src/processors/redact/factory.js';
import { Pseudonymizer } from '../../../src/processors/redact/pseudonym.js';
import { sampleSpan } from '../../helpers/spans.js';
import { RecordingConsumer, settingsFor } from '../../helpers/test-doubles.js';

const KEY = 'a-test-key-of-32-characters-long';
const EMAIL = 'jane.doe@example.com';
const PHONE = '+1 415-555-0132';
const CARD = '4111 1111 1111 1111';

/** A processor with a recording next consumer and a logger whose lines are kept. */
async function started(config: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const next = new RecordingConsumer();
  const settings = {
    ...settingsFor(
      'redact',
      redactProcessorFactory.configSchema.parse({ hmac_key: KEY, ...config }),
    ),
    logger,
  };
  const processor = redactProcessorFactory.create(settings, next);
  await processor.start();
  const run = async (spans: Span[]) => {
    await processor.consume(spansBatch(spans));
    return next.batches.at(-1)!.spans;
  };
  return { processor, run, logs: () => lines.join(''), metrics: () => settings.metrics.metrics() };
}

const attrs = (entries: Record<string, unknown>): Attributes =>
  Object.assign(emptyRecord(), entries) as Attributes;

describe('RedactProcessor', () => {
  it('redacts every client-controlled string of a span', async () => {
    const { run } = await started();
    const resource = {
      attributes: attrs({ 'service.name': 'support-agent', 'host.owner': EMAIL }),
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const scope = {
      name: `scope for ${EMAIL}`,
      version: '1.2.3.4',
      attributes: attrs({ owner: EMAIL }),
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const [span] = await run([
      sampleSpan({
        name: `lookup ${EMAIL}`,
        statusMessage: `card ${CARD} declined`,
        traceState: `vendor=${EMAIL}`,
        attributes: attrs({
          'gen_ai.prompt': `call me on ${PHONE}`,
          tags: ['ok', `mail ${EMAIL}`],
          headers: new KeyValueList(
            attrs({ authorization: 'Bearer abc123DEF456ghi789', 'x-note': EMAIL }),
          ),
          raw: new Uint8Array(Buffer.from(`raw ${EMAIL}`)),
          'user.phone_number': 4155550132n,
          'gen_ai.usage.input_tokens': 1234n,
        }),
        events: [
          {
            timeUnixNano: 1n,
            name: `failed for ${EMAIL}`,
            attributes: attrs({
              'exception.message': `no account ${EMAIL}`,
              'exception.stacktrace': `at x (${EMAIL})`,
            }),
            droppedAttributesCount: 0,
          },
        ],
        links: [
          {
            traceId: '0af7651916cd43dd8448eb211c80319c',
            spanId: '00f067aa0ba902b7',
            traceState: `k=${PHONE}`,
            attributes: attrs({ 'link.reason': `retry for ${EMAIL}` }),
            droppedAttributesCount: 0,
            flags: 0,
          },
        ],
        resource,
        scope,
      }),
    ]);
    expect(span!.name).toBe('lookup <EMAIL>');
    expect(span!.statusMessage).toBe('card <CREDIT_CARD> declined');
    expect(span!.traceState).toBe('vendor=<EMAIL>');
    const a = span!.attributes;
    expect(a['gen_ai.prompt']).toBe('call me on <PHONE>');
    expect(a.tags).toEqual(['ok', 'mail <EMAIL>']);
    expect((a.headers as KeyValueList).entries).toEqual(
      attrs({ authorization: '<REDACTED>', 'x-note': '<EMAIL>' }),
    );
    expect(Buffer.from(a.raw as Uint8Array).toString()).toBe('raw <EMAIL>');
    expect(a['user.phone_number']).toBe('<PHONE>');
    expect(a['gen_ai.usage.input_tokens']).toBe(1234n);
    expect(span!.events[0]!.name).toBe('failed for <EMAIL>');
    expect(span!.events[0]!.attributes).toEqual(
      attrs({
        'exception.message': 'no account <EMAIL>',
        'exception.stacktrace': 'at x (<EMAIL>)',
      }),
    );
    expect(span!.links[0]!.traceState).toBe('k=<PHONE>');
    expect(span!.links[0]!.attributes['link.reason']).toBe('retry for <EMAIL>');
    expect(span!.resource.attributes['host.owner']).toBe('<EMAIL>');
    expect(span!.scope.name).toBe('scope for <EMAIL>');
    expect(span!.scope.version).toBe('1.2.3.4');
    expect(span!.scope.attributes.owner).toBe('<EMAIL>');
    expect(
      JSON.stringify(span, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    ).not.toContain('jane.doe');
  });

  it('records what it did on the span: redaction.count and redaction.entities', async () => {
    const { run } = await started();
    const [redacted, clean] = await run([
      sampleSpan({ attributes: attrs({ a: `${EMAIL} ${PHONE}`, b: EMAIL, 'user.id': 'u-42' }) }),
      sampleSpan({
        attributes: attrs({
          a: 'nothing here',
          'redaction.count': 99n,
          'redaction.entities': ['forged'],
        }),
      }),
    ]);
    expect(redacted!.attributes['redaction.count']).toBe(4n);
    expect(redacted!.attributes['redaction.entities']).toEqual(['email', 'hashed_key', 'phone']);
    expect(clean!.attributes['redaction.count']).toBeUndefined();
    expect(clean!.attributes['redaction.entities']).toBeUndefined();
  });

  it('redacts a resource shared by spans once, counts it once, and audits it on each span', async () => {
    const { run, metrics } = await started();
    const resource = {
      attributes: attrs({ 'service.owner': EMAIL }),
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const spans = await run([
      sampleSpan({ resource }),
      sampleSpan({ resource }),
      sampleSpan({ resource }),
    ]);
    expect(resource.attributes['service.owner']).toBe('<EMAIL>');
    for (const span of spans) expect(span.attributes['redaction.entities']).toEqual(['email']);
    expect(await metrics()).toContain('faultline_redactions_total{entity="email"} 1');
  });

  it('counts redactions by entity in faultline_redactions_total, never with a value', async () => {
    const { run, metrics } = await started();
    await run([
      sampleSpan({ attributes: attrs({ a: `${EMAIL} ${EMAIL} ${CARD}`, password: 'hunter22' }) }),
    ]);
    const text = await metrics();
    expect(text).toContain('faultline_redactions_total{entity="email"} 2');
    expect(text).toContain('faultline_redactions_total{entity="credit_card"} 1');
    expect(text).toContain('faultline_redactions_total{entity="blocked_key"} 1');
    expect(text).not.toMatch(/jane|hunter|4111/);
  });

  it('pseudonymises hash_keys with the configured key, in the exact pseudonym format', async () => {
    const { run } = await started();
    const [span] = await run([
      sampleSpan({ attributes: attrs({ 'user.id': 'u-42', 'enduser.id': 7n }) }),
    ]);
    const pseudonyms = new Pseudonymizer(KEY);
    expect(span!.attributes['user.id']).toBe(pseudonyms.of('u-42'));
    expect(span!.attributes['enduser.id']).toBe(pseudonyms.of('7'));
    expect(span!.attributes['user.id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('without a key, drops values of the default hash_keys and says so once', async () => {
    const { run, logs } = await started({ hmac_key: '' });
    const [span] = await run([
      sampleSpan({ attributes: attrs({ 'user.id': 'u-42', keep: 'ok' }) }),
    ]);
    expect(span!.attributes['user.id']).toBeUndefined();
    expect(span!.attributes.keep).toBe('ok');
    expect(logs()).toContain('no hmac_key is set');
  });

  it('applies modes per entity: mask, hash, drop', async () => {
    const { run } = await started({ modes: { credit_card: 'mask', email: 'hash', phone: 'drop' } });
    const [span] = await run([
      sampleSpan({ attributes: attrs({ a: `${CARD} / ${EMAIL} / ${PHONE}.` }) }),
    ]);
    expect(span!.attributes.a).toBe(
      `**** **** **** 1111 / ${new Pseudonymizer(KEY).of(EMAIL)} / .`,
    );
  });

  it('drops blocked values in drop mode, and passes ignored keys untouched', async () => {
    const { run } = await started({ modes: { blocked_key: 'drop' }, ignored_keys: ['debug.*'] });
    const [span] = await run([
      sampleSpan({ attributes: attrs({ 'db.password': 'x', 'debug.raw': EMAIL, keep: 'ok' }) }),
    ]);
    expect(span!.attributes).toEqual(
      attrs({
        'debug.raw': EMAIL,
        keep: 'ok',
        'redaction.count': 1n,
        'redaction.entities': ['blocked_key'],
      }),
    );
  });

  it('fails closed in allow-list mode: attributes not allowed are dropped, allowed ones scanned', async () => {
    const { run } = await started({ allowed_keys: ['service.*', 'gen_ai.*'] });
    const resource = {
      attributes: attrs({ 'service.name': 'svc', 'host.name': 'laptop-of-jane' }),
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const [span] = await run([
      sampleSpan({ resource, attributes: attrs({ 'gen_ai.prompt': EMAIL, 'app.anything': 'x' }) }),
    ]);
    expect(span!.attributes['gen_ai.prompt']).toBe('<EMAIL>');
    expect(span!.attributes['app.anything']).toBeUndefined();
    expect(resource.attributes).toEqual(attrs({ 'service.name': 'svc' }));
    expect(span!.attributes['redaction.entities']).toEqual(['disallowed_key', 'email']);
  });

  it('drops a span whose redaction fails, counts it, and logs no value', async () => {
    const { run, metrics, logs } = await started();
    const broken = attrs({});
    Object.defineProperty(broken, 'x', {
      enumerable: true,
      get() {
        throw new Error(`cannot read ${EMAIL}`);
      },
    });
    const spans = await run([
      sampleSpan({ attributes: broken }),
      sampleSpan({ attributes: attrs({ a: 'ok' }) }),
    ]);
    expect(spans).toHaveLength(1);
    expect(await metrics()).toContain('faultline_redaction_failed_spans_total 1');
    expect(logs()).toContain('redacting a span failed');
    expect(logs()).not.toContain(EMAIL);
  });

  it('never writes an original value to its logs, even at trace level', async () => {
    const { run, logs } = await started();
    await run([
      sampleSpan({
        name: EMAIL,
        attributes: attrs({ a: `${EMAIL} ${PHONE} ${CARD}`, password: 'hunter22' }),
      }),
    ]);
    expect(logs()).not.toMatch(/jane|555-0132|4111|hunter/);
  });

  it('refuses batches before start and after shutdown, retryably', async () => {
    const next = new RecordingConsumer();
    const processor = redactProcessorFactory.create(
      settingsFor('redact', redactProcessorFactory.configSchema.parse({})),
      next,
    );
    await expect(processor.consume(spansBatch([sampleSpan()]))).rejects.toBeInstanceOf(
      RetryableError,
    );
    await processor.start();
    await processor.consume(spansBatch([sampleSpan()]));
    await processor.shutdown();
    await processor.shutdown();
    await expect(processor.consume(spansBatch([sampleSpan()]))).rejects.toBeInstanceOf(
      RetryableError,
    );
    expect(next.batches).toHaveLength(1);
  });
});
