import type { Span } from '../model/index.js';
import type { SpanConsumer } from './component.js';

/**
 * Hands the same batch to several consumers and settles when all have. Each gets its own
 * array, since a consumer may keep or reorder the batch it is given.
 */
export class FanoutConsumer implements SpanConsumer {
  constructor(private readonly consumers: readonly SpanConsumer[]) {}

  async consume(spans: Span[]): Promise<void> {
    const [only] = this.consumers;
    if (this.consumers.length === 1 && only) return only.consume(spans);
    await Promise.all(this.consumers.map((consumer) => consumer.consume(spans.slice())));
  }

  async flush(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.flush()));
  }
}
