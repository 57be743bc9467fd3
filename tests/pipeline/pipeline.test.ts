import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinFactories } from '../../src/components.js';
import { parseConfig } from '../../src/config/load.js';
import { spansBatch, type TelemetryBatch } from '../../src/model/index.js';
import type { Processor, Receiver, TelemetryConsumer } from '../../src/pipeline/component.js';
import {
  factoryMap,
  type Factories,
  type ProcessorFactory,
  type ReceiverFactory,
} from '../../src/pipeline/factory.js';
import { Extensions } from '../../src/pipeline/host.js';
import { TracesPipeline } from '../../src/pipeline/pipeline.js';
import { STORAGE } from '../../src/storage/extension.js';
import { sampleSpan } from '../helpers/spans.js';
import { RecordingStore, silentLogger } from '../helpers/test-doubles.js';

/** Test components that record what happens to them, in one shared log. */
class TaggingProcessor implements Processor {
  constructor(
    private readonly tag: string,
    private readonly next: TelemetryConsumer,
    private readonly log: string[],
  ) {}
  start() {
    this.log.push(`start ${this.tag}`);
    return Promise.resolve();
  }
  shutdown() {
    this.log.push(`shutdown ${this.tag}`);
    return Promise.resolve();
  }
  consume(batch: TelemetryBatch) {
    for (const span of batch.spans) span.name += `>${this.tag}`;
    return this.next.consume(batch);
  }
  flush() {
    this.log.push(`flush ${this.tag}`);
    return this.next.flush();
  }
}

/** A receiver that hands its downstream consumer to the test. */
class CapturingReceiver implements Receiver {
  constructor(
    readonly next: TelemetryConsumer,
    private readonly log: string[],
  ) {}
  start() {
    this.log.push('start receiver');
    return Promise.resolve();
  }
  shutdown() {
    this.log.push('shutdown receiver');
    return Promise.resolve();
  }
}

function testFactories(log: string[], receivers: CapturingReceiver[]): Factories {
  const tagging: ProcessorFactory<{ tag: string }> = {
    type: 'tag',
    configSchema: z.object({ tag: z.string() }).strict(),
    create: (settings, next) => new TaggingProcessor(settings.config.tag, next, log),
  };
  const capturing: ReceiverFactory<object> = {
    type: 'capture',
    configSchema: z.object({}).strict(),
    create: (_settings, next) => {
      const receiver = new CapturingReceiver(next, log);
      receivers.push(receiver);
      return receiver;
    },
  };
  return {
    ...builtinFactories,
    receivers: factoryMap<ReceiverFactory>([capturing]),
    processors: factoryMap<ProcessorFactory>([tagging]),
  };
}

function build(yaml: string) {
  const log: string[] = [];
  const receivers: CapturingReceiver[] = [];
  const factories = testFactories(log, receivers);
  const store = new RecordingStore();
  const pipeline = TracesPipeline.build(parseConfig(yaml, 'test.yaml', factories), factories, {
    logger: silentLogger,
    metrics: new Registry(),
    host: new Extensions().register(STORAGE, store),
  });
  return { pipeline, log, store, receiver: () => receivers[0]! };
}

const storedNames = (store: RecordingStore) =>
  store.inserts.flatMap((i) =>
    i.rows.map((row) => (JSON.parse(row) as { SpanName: string }).SpanName),
  );

describe('TracesPipeline', () => {
  // The exporters' durable queues, which would otherwise go to ./data/queue in the checkout.
  const queues = mkdtempSync(join(tmpdir(), 'faultline-pipeline-'));
  afterAll(() => rmSync(queues, { recursive: true, force: true }));

  const ORDERED = `
receivers: { capture: {} }
processors:
  tag/first: { tag: a }
  tag/second: { tag: b }
exporters:
  clickhouse: { batch: { timeout: 10s }, queue: { directory: ${queues} } }
service:
  pipelines:
    traces: { receivers: [capture], processors: [tag/first, tag/second], exporters: [clickhouse] }
`;

  it('starts from the exporters backwards and runs processors in the configured order', async () => {
    const { pipeline, log, store, receiver } = build(ORDERED);
    await pipeline.start();
    expect(log).toEqual(['start b', 'start a', 'start receiver']);
    const stored = receiver().next.consume(spansBatch([sampleSpan({ name: 'x' })]));
    await pipeline.shutdown();
    await stored;
    expect(storedNames(store)).toEqual(['x>a>b']);
  });

  it('stops receivers first, flushes, then stops the rest in data-flow order', async () => {
    const { pipeline, log } = build(ORDERED);
    await pipeline.start();
    log.length = 0;
    await pipeline.shutdown();
    expect(log).toEqual(['shutdown receiver', 'flush a', 'flush b', 'shutdown a', 'shutdown b']);
  });

  it('gives every exporter of a fan-out the spans, each its own array', async () => {
    const { pipeline, store, receiver } = build(`
receivers: { capture: {} }
exporters:
  clickhouse/one: { batch: { timeout: 10s }, queue: { directory: ${queues} } }
  clickhouse/two: { batch: { timeout: 10s }, queue: { directory: ${queues} } }
service:
  pipelines:
    traces: { receivers: [capture], exporters: [clickhouse/one, clickhouse/two] }
`);
    await pipeline.start();
    const batch = [sampleSpan({ name: 'fan' })];
    const stored = receiver().next.consume(spansBatch(batch));
    await pipeline.shutdown();
    await stored;
    expect(storedNames(store)).toEqual(['fan', 'fan']);
  });
});
