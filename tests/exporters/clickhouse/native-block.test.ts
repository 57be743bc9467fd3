/**
 * The Native block encoder against the JSONEachRow rows it replaces: the same spans, inserted
 * both ways into two databases with the real schema on the embedded engine, read back equal.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { mergeNativeBlocks } from '../../../src/exporters/clickhouse/native/merge.js';
import { NativeRowEncoder } from '../../../src/exporters/clickhouse/native/row-encoder.js';
import { spanBlockEncoder } from '../../../src/exporters/clickhouse/native/span-columns.js';
import { ExporterMetrics } from '../../../src/exporters/helper/metrics.js';
import { DeadLetterFile } from '../../../src/exporters/helper/queue/dead-letter.js';
import { DurableQueue } from '../../../src/exporters/helper/queue/durable-queue.js';
import { QueueMetrics } from '../../../src/exporters/helper/queue/metrics.js';
import { SpanRowWriter } from '../../helpers/json-span-rows.js';
import { KeyValueList, type Failure, type Span } from '../../../src/model/index.js';
import { EmbeddedStore } from '../../../src/storage/embedded.js';
import { migrate } from '../../../src/storage/schema/migrate.js';
import { sampleSpan, stepInfo } from '../../helpers/spans.js';
import { silentLogger } from '../../helpers/test-doubles.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-native-'));
const store = new EmbeddedStore(join(dir, 'chdb'), 'faultline', 512 * 1024 * 1024);
const logger = pino({ level: 'silent' });

function failure(failureClass: string, severity: Failure['severity']): Failure {
  return { failureClass, severity } as Failure;
}

/** Spans covering every column kind: nested values, unicode, long text, steps, failures, links. */
function variedSpans(): Span[] {
  const resource = {
    attributes: { 'service.name': 'booking-agent', 'host.name': 'h1', 'process.pid': 42n },
    droppedAttributesCount: 0,
    schemaUrl: '',
  };
  const long = 'ä€𝄞 long text '.repeat(200);
  return [
    sampleSpan({ resource }),
    sampleSpan({
      resource,
      name: 'chat gpt-4o',
      kind: 3,
      statusCode: 2,
      statusMessage: 'rate limited — retry later',
      traceState: 'vendor=1',
      flags: 257,
      startTimeUnixNano: 0n,
      endTimeUnixNano: 0n,
      droppedAttributesCount: 3,
      droppedEventsCount: 1,
      droppedLinksCount: 2,
      attributes: {
        text: long,
        empty: '',
        clé: 'café',
        edge63: 'x'.repeat(63),
        edge64: 'y'.repeat(64),
        edge128: 'z'.repeat(128),
        yes: true,
        count: -7n,
        big: 9_223_372_036_854_775_807n,
        ratio: 0.1,
        inf: Number.POSITIVE_INFINITY,
        nan: Number.NaN,
        bytes: new Uint8Array([0, 1, 254, 255]),
        list: ['a', 1n, 2.5, false],
        kv: new KeyValueList({ inner: 'x', n: 3n }),
        'quote"and\\slash\nnewline': 'tab\there',
      },
      events: [
        {
          timeUnixNano: 1_700_000_000_100_000_000n,
          name: 'exception',
          attributes: { 'exception.message': 'boom' },
          droppedAttributesCount: 0,
        },
        { timeUnixNano: 5n, name: 'early', attributes: {}, droppedAttributesCount: 0 },
      ],
      links: [
        {
          traceId: 'ab'.repeat(16),
          spanId: 'cd'.repeat(8),
          traceState: 'k=v',
          attributes: { 'link.kind': 'follows' },
          droppedAttributesCount: 0,
          flags: 0,
        },
      ],
      step: stepInfo({
        type: 'llm_call',
        operation: 'chat',
        agentName: 'booker',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        provider: 'openai',
        usage: { input: 120, output: 40, total: 160, cacheRead: 5, cacheWrite: 1, reasoning: 2 },
        costUsd: 0.00123,
        retrievalDocuments: 3,
        retrievalTopScore: 0.87,
        sessionId: 's-1',
        userHash: 'u_abc',
        finishReasons: ['stop', 'length'],
        inputPreview: 'hello',
        outputPreview: long,
      }),
      failures: [
        failure('rate_limited', 'medium'),
        failure('exception', 'high'),
        failure('rate_limited', 'medium'),
      ],
    }),
    sampleSpan({
      resource,
      step: stepInfo({ type: 'tool_call', toolName: 'search' }),
      failures: [],
    }),
  ];
}

const EVERY_COLUMN = `SELECT * FROM faultline.otel_traces ORDER BY SpanId FORMAT JSONEachRow`;

beforeAll(async () => {
  await store.open();
  await migrate(store, { database: 'faultline' }, logger);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Native block of otel_traces', () => {
  it('stores the same rows as the JSONEachRow lines of the same spans', async () => {
    const spans = variedSpans();
    await store.insert('otel_traces', new SpanRowWriter().toJsonEachRow(spans));
    const viaJson = await store.query(EVERY_COLUMN, { format: 'JSONEachRow' });
    await store.command('TRUNCATE TABLE faultline.otel_traces');

    const encoder = spanBlockEncoder();
    await store.insert('otel_traces', encoder.encode(spans), {
      format: { name: 'Native', columns: encoder.columnNames },
    });
    const viaNative = await store.query(EVERY_COLUMN, { format: 'JSONEachRow' });

    expect(viaNative.split('\n').filter(Boolean)).toHaveLength(spans.length);
    expect(viaNative).toBe(viaJson);
  });

  it('reads several blocks one after another as one insert, deduplicated by its token', async () => {
    await store.command('TRUNCATE TABLE faultline.otel_traces');
    const encoder = spanBlockEncoder();
    const blocks = Buffer.concat([encoder.encode(variedSpans()), encoder.encode(variedSpans())]);
    const options = {
      dedupToken: 'native-token-1',
      format: { name: 'Native', columns: encoder.columnNames } as const,
    };
    await store.insert('otel_traces', blocks, options);
    await store.insert('otel_traces', blocks, options);
    const count = await store.query('SELECT count() FROM faultline.otel_traces', { format: 'TSV' });
    expect(count.trim()).toBe('6');
  });

  it('stores a batch merged from many blocks as the same rows as one block of them', async () => {
    const encoder = spanBlockEncoder();
    const format = { name: 'Native', columns: encoder.columnNames } as const;
    const spans = Array.from({ length: 30 }, () => variedSpans()).flat();
    await store.command('TRUNCATE TABLE faultline.otel_traces');
    await store.insert('otel_traces', encoder.encode(spans), { format });
    const asOneBlock = await store.query(EVERY_COLUMN, { format: 'JSONEachRow' });

    await store.command('TRUNCATE TABLE faultline.otel_traces');
    const merged = await mergeNativeBlocks(spans.map((span) => encoder.encode([span])));
    // More parts than one writev takes (1,024 on Linux): the store writes them in turns.
    expect(merged.length).toBeGreaterThan(1024);
    await store.insert('otel_traces', merged, { format });
    expect(await store.query(EVERY_COLUMN, { format: 'JSONEachRow' })).toBe(asOneBlock);
  });
});

describe('the embedded store’s insert files', () => {
  it('are removed once their insert settled, stored or refused', async () => {
    const encoder = spanBlockEncoder();
    const format = { name: 'Native', columns: encoder.columnNames } as const;
    await store.insert('otel_traces', encoder.encode(variedSpans()), { format });
    await expect(
      store.insert('no_such_table', encoder.encode(variedSpans()), { format }),
    ).rejects.toThrow();
    // Removed in the background, after the insert settled.
    await vi.waitFor(
      () => expect(readdirSync(join(dir, 'chdb', 'faultline-inserts'))).toEqual([]),
      { timeout: 10_000 },
    );
  });
});

describe('a durable queue of Native blocks', () => {
  it('inserts the good blocks of a refused batch and dead-letters the refused block whole', async () => {
    await store.command('TRUNCATE TABLE faultline.otel_traces');
    const encoder = spanBlockEncoder();
    const blocks = new NativeRowEncoder<Span>({
      block: encoder,
      key: (span) => ({ SpanId: span.spanId }),
      maxChunkBytes: 16 * 1024 * 1024,
      costPerBlock: 1000,
    });
    const format = blocks.format;
    // A block whose column claims a type that does not fit the table: storage refuses it.
    const poison = Buffer.from(
      encoder.encode([sampleSpan()]).toString('latin1').replace('UInt32', 'IPv4'),
      'latin1',
    );
    const registry = new Registry();
    const deadLetterPath = join(dir, 'dead-letter.jsonl');
    const queue = new DurableQueue<Span>({
      labels: { exporter: 'clickhouse', table: 'otel_traces' },
      maxRows: 1_000,
      timeoutMs: 20,
      maxAgeMs: 0,
      retry: { initial_interval: 5, max_interval: 20, max_elapsed_time: 1_000 },
      wal: {
        directory: join(dir, 'wal'),
        fsync: 'never',
        fsyncIntervalMs: 50,
        segmentBytes: 1024 * 1024,
        maxBytes: 16 * 1024 * 1024,
        memoryBytes: 16 * 1024 * 1024,
      },
      maxBytes: 16 * 1024 * 1024,
      encoder: {
        format,
        encode: (spans) =>
          spans[0]!.name === 'poison'
            ? Promise.resolve({ chunks: [{ payload: poison, rows: 1 }], unencodable: [] })
            : blocks.encode(spans),
      },
      send: (rows, dedupToken) =>
        store.insert('otel_traces', rows, { dedupToken, format: format.insert }),
      deadLetter: new DeadLetterFile(deadLetterPath, 'clickhouse'),
      metrics: ExporterMetrics.for(registry),
      queueMetrics: QueueMetrics.for(registry),
      logger: silentLogger,
    });
    await queue.start();
    await Promise.all([
      queue.add(variedSpans()),
      queue.add([sampleSpan({ name: 'poison' })]),
      queue.add(variedSpans()),
    ]);
    await queue.flush();
    await queue.shutdown(AbortSignal.timeout(1_000));

    const count = await store.query('SELECT count() FROM faultline.otel_traces', { format: 'TSV' });
    expect(count.trim()).toBe('6');
    const [line, ...more] = readFileSync(deadLetterPath, 'utf8').split('\n').filter(Boolean);
    expect(more).toHaveLength(0);
    const row = (JSON.parse(line!) as { row: { native: string } }).row;
    expect(Buffer.from(row.native, 'base64').equals(poison)).toBe(true);
  });
});
