import type { TelemetryBatch } from '../model/index.js';
import type { TelemetryConsumer } from './component.js';

/**
 * Hands the same batch to several consumers and settles when all have. Each gets its own
 * arrays, since a consumer may add to or reorder the batch it is given.
 */
export class FanoutConsumer implements TelemetryConsumer {
  constructor(private readonly consumers: readonly TelemetryConsumer[]) {}

  async consume(batch: TelemetryBatch): Promise<void> {
    const [only] = this.consumers;
    if (this.consumers.length === 1 && only) return only.consume(batch);
    await Promise.all(
      this.consumers.map((consumer) =>
        consumer.consume({
          spans: batch.spans.slice(),
          traces: batch.traces.slice(),
          failures: batch.failures.slice(),
          ...(batch.logs && { logs: batch.logs.slice() }),
          ...(batch.revisedFailures && { revisedFailures: batch.revisedFailures.slice() }),
        }),
      ),
    );
  }

  async flush(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.flush()));
  }
}
