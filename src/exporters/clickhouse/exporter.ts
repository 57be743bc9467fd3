import type { Span } from '../../model/index.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';
import type { Store } from '../../storage/store.js';
import { Batcher } from '../helper/batcher.js';
import { ExporterMetrics } from '../helper/metrics.js';
import type { ClickhouseExporterConfig } from './config.js';
import { SpanRowWriter } from './rows.js';

/** Bound on retries during shutdown, so SIGTERM finishes while storage is down. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Writes spans into `otel_traces`, batched by rows and time, retried with backoff. */
export class ClickhouseExporter implements Exporter {
  private readonly batcher: Batcher<Span>;

  constructor(settings: ComponentSettings<ClickhouseExporterConfig>) {
    const { config, store } = settings;
    const writer = new SpanRowWriter();
    this.batcher = new Batcher<Span>({
      name: settings.id,
      maxItems: config.batch.max_rows,
      timeoutMs: config.batch.timeout,
      maxPending: config.max_pending_rows,
      retry: config.retry,
      send: (spans, dedupToken) => insertSpans(store, writer, spans, dedupToken),
      metrics: ExporterMetrics.for(settings.metrics),
      logger: settings.logger,
    });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  consume(spans: Span[]): Promise<void> {
    return this.batcher.add(spans);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  ready(): boolean {
    return this.batcher.hasRoom();
  }

  shutdown(): Promise<void> {
    return this.batcher.shutdown(SHUTDOWN_GRACE_MS);
  }
}

function insertSpans(
  store: Store,
  writer: SpanRowWriter,
  spans: Span[],
  dedupToken: string,
): Promise<void> {
  return store.insert('otel_traces', writer.toJsonEachRow(spans), { dedupToken });
}
