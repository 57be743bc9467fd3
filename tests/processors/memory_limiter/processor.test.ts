import { describe, expect, it } from 'vitest';
import { spansBatch } from '../../../src/model/index.js';
import { RetryableError } from '../../../src/pipeline/errors.js';
import { memoryLimiterConfigSchema } from '../../../src/processors/memory_limiter/config.js';
import {
  MEMORY_LIMITED,
  MemoryLimiterProcessor,
  type MemoryReading,
} from '../../../src/processors/memory_limiter/processor.js';
import { sampleSpan } from '../../helpers/spans.js';
import { RecordingConsumer, settingsFor } from '../../helpers/test-doubles.js';

const MiB = 1024 * 1024;

function limiter(config: Record<string, unknown>) {
  let reading: MemoryReading = { heapUsed: 10 * MiB, heapLimit: 100 * MiB, rss: 50 * MiB };
  const next = new RecordingConsumer();
  const settings = settingsFor('memory_limiter', memoryLimiterConfigSchema.parse(config));
  const processor = new MemoryLimiterProcessor(settings, next, () => reading);
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
});
