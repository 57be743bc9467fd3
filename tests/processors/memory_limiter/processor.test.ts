import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spansBatch } from '../../../src/model/index.js';
import { admissionGate } from '../../../src/pipeline/admission.js';
import { RetryableError } from '../../../src/pipeline/errors.js';
import { memoryLimiterConfigSchema } from '../../../src/processors/memory_limiter/config.js';
import {
  MEMORY_LIMITED,
  MemoryLimiterProcessor,
  type MemoryReading,
} from '../../../src/processors/memory_limiter/processor.js';
import { availableMemory } from '../../../src/telemetry/available-memory.js';
import { sampleSpan } from '../../helpers/spans.js';
import { RecordingConsumer, settingsFor } from '../../helpers/test-doubles.js';

const MiB = 1024 * 1024;

function limiter(config: Record<string, unknown>, available = 1024 * MiB) {
  let reading: MemoryReading = { heapUsed: 10 * MiB, heapLimit: 100 * MiB, rss: 50 * MiB };
  const next = new RecordingConsumer();
  const settings = settingsFor('memory_limiter', memoryLimiterConfigSchema.parse(config));
  const processor = new MemoryLimiterProcessor(
    settings,
    next,
    () => reading,
    () => available,
  );
  return {
    processor,
    next,
    metrics: settings.metrics,
    use: (memory: Partial<MemoryReading>) => {
      reading = { ...reading, ...memory };
      processor.check();
    },
  };
}

function refusalOf(admit: () => void): unknown {
  try {
    admit();
    return undefined;
  } catch (error) {
    return error;
  }
}

const refusal = (promise: Promise<void>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('MemoryLimiterProcessor', () => {
  it('passes batches on while memory use is under the limits', async () => {
    const { processor, next } = limiter({});
    await processor.start();
    await processor.consume(spansBatch([sampleSpan()]));
    expect(next.batches).toHaveLength(1);
    await processor.shutdown();
  });

  it('refuses with a retryable memory_limited error while the heap is over its share', async () => {
    const { processor, next, use, metrics } = limiter({ heap_limit_percentage: 80 });
    await processor.start();
    use({ heapUsed: 81 * MiB });
    const error = await refusal(processor.consume(spansBatch([sampleSpan()])));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).code).toBe(MEMORY_LIMITED);
    expect((error as RetryableError).retryAfterMs).toBe(1000);
    expect(next.batches).toHaveLength(0);
    expect(await metrics.getSingleMetricAsString('faultline_memory_limiter_refusing')).toContain(
      'faultline_memory_limiter_refusing{processor="memory_limiter"} 1',
    );
    await processor.shutdown();
  });

  it('refuses while the resident set is over rss_limit', async () => {
    const { processor, use } = limiter({ rss_limit: '100MiB' });
    await processor.start();
    use({ rss: 101 * MiB });
    expect(await refusal(processor.consume(spansBatch([sampleSpan()])))).toBeInstanceOf(
      RetryableError,
    );
    await processor.shutdown();
  });

  it('has requests of both signals refused before they are read while over the limit', async () => {
    const { processor, use, metrics } = limiter({ heap_limit_percentage: 80 });
    const gate = admissionGate(metrics);
    await processor.start();
    gate.admit(1000, 'http', 'traces')();
    use({ heapUsed: 81 * MiB });
    for (const signal of ['traces', 'logs'] as const) {
      const error = refusalOf(() => gate.admit(1000, 'grpc', signal));
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as RetryableError).code).toBe(MEMORY_LIMITED);
    }
    expect(
      await metrics.getSingleMetricAsString('faultline_admission_refused_requests_total'),
    ).toContain('{transport="grpc",reason="memory_limited"} 2');
    use({ heapUsed: 10 * MiB });
    gate.admit(1000, 'http', 'logs')();
    use({ heapUsed: 81 * MiB });
    await processor.shutdown();
    // Its check leaves with it: what comes next in the pipeline decides.
    gate.admit(1000, 'http', 'traces')();
  });

  it('accepts again only once use is recovery_percentage under the limit', async () => {
    const { processor, next, use } = limiter({ heap_limit_percentage: 80, recovery_percentage: 5 });
    await processor.start();
    use({ heapUsed: 85 * MiB });
    use({ heapUsed: 78 * MiB });
    expect(await refusal(processor.consume(spansBatch([sampleSpan()])))).toBeInstanceOf(
      RetryableError,
    );
    use({ heapUsed: 74 * MiB });
    await processor.consume(spansBatch([sampleSpan()]));
    expect(next.batches).toHaveLength(1);
    await processor.shutdown();
  });

  it('rejects a config with a percentage out of range, naming the key', () => {
    const parsed = memoryLimiterConfigSchema.safeParse({ heap_limit_percentage: 150 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['heap_limit_percentage']);
  });

  it('bounds the resident set by default at 80% of the memory available', async () => {
    const { processor, use } = limiter({}, 1000 * MiB);
    expect(processor.rssLimit).toBe(800 * MiB);
    await processor.start();
    use({ rss: 790 * MiB });
    await processor.consume(spansBatch([sampleSpan()]));
    use({ rss: 801 * MiB });
    expect(await refusal(processor.consume(spansBatch([sampleSpan()])))).toBeInstanceOf(
      RetryableError,
    );
    await processor.shutdown();
  });

  it('takes rss_limit over the share, and turns the RSS bound off with both at 0', () => {
    expect(limiter({ rss_limit: '100MiB' }).processor.rssLimit).toBe(100 * MiB);
    expect(limiter({ rss_limit_percentage: 0 }).processor.rssLimit).toBe(0);
  });

  it('reads the new keys with units and defaults, and names a bad one', () => {
    expect(memoryLimiterConfigSchema.parse({})).toMatchObject({
      rss_limit_percentage: 80,
      rss_limit: 0,
      max_inflight_bytes: 64 * MiB,
    });
    expect(memoryLimiterConfigSchema.parse({ max_inflight_bytes: '8MiB' }).max_inflight_bytes).toBe(
      8 * MiB,
    );
    for (const [key, value] of [
      ['rss_limit_percentage', 101],
      ['rss_limit_percentage', -1],
      ['max_inflight_bytes', 'lots'],
      ['max_inflight_bytes', -5],
    ] as const) {
      const parsed = memoryLimiterConfigSchema.safeParse({ [key]: value });
      expect(parsed.success, `${key}: ${value}`).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual([key]);
    }
  });
});

describe('availableMemory', () => {
  it("is the cgroup's limit when set, else the machine's memory", () => {
    expect(availableMemory(() => `${256 * MiB}\n`)).toBe(Math.min(256 * MiB, totalmem()));
    expect(availableMemory(() => 'max\n')).toBe(totalmem());
    expect(
      availableMemory(() => {
        throw new Error('ENOENT: no cgroup v2 here');
      }),
    ).toBe(totalmem());
  });
});
