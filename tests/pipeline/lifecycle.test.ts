import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinFactories } from '../../src/components.js';
import type { Component, TelemetryConsumer } from '../../src/pipeline/component.js';
import { RetryableError } from '../../src/pipeline/errors.js';
import { StatusCode, spansBatch, type Span } from '../../src/model/index.js';
import { AlertProcessor } from '../../src/processors/alert/processor.js';
import { RecordingConsumer, RecordingStore, settingsFor } from '../helpers/test-doubles.js';
import { sampleSpan } from '../helpers/spans.js';

/**
 * The lifecycle contract every built-in component must keep, as in the Collector's shared
 * component tests: shutdown before start is safe, shutdown twice is safe,
 * start → consume → shutdown works, and shutdown returns once its deadline passes even while
 * downstream (the next consumer, storage) never answers.
 */

const queueDirectory = mkdtempSync(join(tmpdir(), 'faultline-lifecycle-'));
afterAll(() => rmSync(queueDirectory, { recursive: true, force: true }));

/** Configs that avoid fixed ports and shared directories, so tests can run beside a daemon. */
const TEST_CONFIG: Record<string, unknown> = {
  otlp: { protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } },
  clickhouse: { queue: { directory: queueDirectory } },
  alert: { rules: [{ name: 'AnySpan', aggregate: 'count', threshold: 0 }] },
};

class NullConsumer implements TelemetryConsumer {
  consume(): Promise<void> {
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A downstream that stopped answering: nothing handed to it ever settles. */
class HangingConsumer implements TelemetryConsumer {
  consume(): Promise<void> {
    return new Promise(() => {});
  }
  flush(): Promise<void> {
    return new Promise(() => {});
  }
}

interface Case {
  kind: string;
  type: string;
  create: (next?: TelemetryConsumer) => Component & Partial<TelemetryConsumer>;
  store: RecordingStore;
}

function cases(): Case[] {
  const configOf = (factory: { type: string; configSchema: { parse(input: unknown): unknown } }) =>
    factory.configSchema.parse(TEST_CONFIG[factory.type] ?? {});
  const each = <F extends { type: string; configSchema: { parse(input: unknown): unknown } }>(
    kind: string,
    factories: Iterable<F>,
    create: (
      factory: F,
      store: RecordingStore,
      next: TelemetryConsumer,
    ) => Component & Partial<TelemetryConsumer>,
  ): Case[] =>
    [...factories].map((factory) => {
      const store = new RecordingStore();
      return {
        kind,
        type: factory.type,
        store,
        create: (next = new NullConsumer()) => create(factory, store, next),
      };
    });
  return [
    ...each('receiver', builtinFactories.receivers.values(), (f, store, next) =>
      f.create(settingsFor(f.type, configOf(f), store), next),
    ),
    ...each('processor', builtinFactories.processors.values(), (f, store, next) =>
      f.create(settingsFor(f.type, configOf(f), store), next),
    ),
    ...each('exporter', builtinFactories.exporters.values(), (f, store) =>
      f.create(settingsFor(f.type, configOf(f), store)),
    ),
  ];
}

describe.each(cases())('$kind $type', ({ create, kind, type, store }) => {
  it('can be shut down before it was started', async () => {
    await expect(create().shutdown()).resolves.toBeUndefined();
  });

  it('can be shut down twice', async () => {
    const component = create();
    await component.start();
    await component.shutdown();
    await expect(component.shutdown()).resolves.toBeUndefined();
  });

  it.runIf(kind !== 'receiver')(
    'consumes between start and shutdown, and refuses after',
    async () => {
      const component = create();
      await component.start();
      const spans: Span[] = [sampleSpan()];
      await component.consume!(spansBatch(spans));
      await component.shutdown();
      if (type === 'clickhouse') expect(store.inserts.flatMap((i) => i.rows)).toHaveLength(1);
      await expect(component.consume!(spansBatch([sampleSpan()]))).rejects.toBeInstanceOf(
        RetryableError,
      );
    },
  );

  it('returns from shutdown once its deadline passed, though downstream never answers', async () => {
    store.hang = true;
    const component = create(new HangingConsumer());
    await component.start();
    // Work the component holds when it is stopped: an exporter has taken the batch (its
    // insert never returns); a processor has handed it to a downstream that never settles.
    const handed = component.consume?.(spansBatch([sampleSpan()]));
    if (kind === 'exporter') await handed;
    else handed?.catch(() => {});
    await expect(component.shutdown(AbortSignal.timeout(50))).resolves.toBeUndefined();
  });

  it('returns from shutdown at once when the deadline has already passed', async () => {
    const component = create();
    await component.start();
    await expect(component.shutdown(AbortSignal.abort())).resolves.toBeUndefined();
  });
});

/**
 * Clients resend a batch after a timeout or a refusal. The assemble processor marks spans it
 * has seen (same trace and span id) as duplicates, and the stateful components after it count
 * them nowhere: a batch delivered twice leaves the same traces, failures and alert windows as
 * one delivery; only the spans themselves pass on again, to be stored as received.
 */
describe('a redelivered batch', () => {
  const spans = (): Span[] => [
    sampleSpan({ spanId: '1'.repeat(16), parentSpanId: '' }),
    sampleSpan({ spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16) }),
    sampleSpan({
      spanId: '3'.repeat(16),
      parentSpanId: '1'.repeat(16),
      statusCode: StatusCode.Error,
      statusMessage: 'tool failed',
    }),
  ];
  const processor = (type: string) => builtinFactories.processors.get(type)!;
  const configOf = (type: string) =>
    processor(type).configSchema.parse(TEST_CONFIG[type] ?? {}) as never;

  async function deliver(times: number) {
    const recorder = new RecordingConsumer();
    const alert = new AlertProcessor(settingsFor('alert', configOf('alert')), recorder, {
      timer: false,
    });
    const classify = processor('classify').create(
      settingsFor('classify', configOf('classify')),
      alert,
    );
    const assemble = processor('assemble').create(
      settingsFor('assemble', configOf('assemble')),
      classify,
    );
    const chain = [assemble, classify, alert];
    for (const component of chain) await component.start();
    for (let n = 0; n < times; n++) await assemble.consume(spansBatch(spans()));
    await assemble.flush();
    alert.evaluate();
    const alertValues = [...alert.alerts()].map((a) => a.value);
    for (const component of chain) await component.shutdown();
    return {
      spans: recorder.batches.flatMap((b) => b.spans).length,
      steps: recorder.traces().map((t) => t.steps.length),
      failures: recorder.batches.flatMap((b) => b.failures).map((f) => f.failureClass),
      alertValues,
    };
  }

  it('changes nothing in assemble, classify and alert', async () => {
    const once = await deliver(1);
    expect(once.steps).toEqual([3]);
    expect(once.failures.length).toBeGreaterThan(0);
    expect(once.alertValues).toEqual([3]);
    expect(await deliver(2)).toEqual({ ...once, spans: 2 * once.spans });
  });
});
