import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TelemetryBatch } from '../model/index.js';
import type { AlertingService } from '../service/alerting/service.js';
import type { Store } from '../storage/store.js';

/**
 * The lifecycle every receiver, processor and exporter shares, as in the Collector:
 * - `start` returns once the component can work; long-running work runs in the background.
 * - `shutdown` is safe before `start` and safe to call twice; it stops accepting, finishes or
 *   cancels background work and hands what it holds to the next component.
 */
export interface Component {
  start(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Receives a batch. The promise resolves once everything in it is safe downstream, which is
 * when a receiver may acknowledge its spans. It rejects with a `PipelineError` saying whether a
 * retry can help. The caller must not touch the batch after handing it on.
 * A client may deliver a batch again; stateful components count nothing twice (see
 * `processors/assemble/README.md`: spans delivered before are marked `duplicate`).
 */
export interface TelemetryConsumer {
  consume(batch: TelemetryBatch): Promise<void>;
  /** Pushes anything held in buffers downstream and waits until it is safe there. */
  flush(): Promise<void>;
}

export interface Processor extends Component, TelemetryConsumer {}
export interface Exporter extends Component, TelemetryConsumer {
  /** True while the exporter can accept more data (used by /readyz). */
  ready(): boolean;
}
export type Receiver = Component;

/** What the service hands to every component it creates. */
export interface ComponentSettings<Config> {
  /** The component's id as written in the config, e.g. `otlp` or `clickhouse/archive`. */
  id: string;
  config: Config;
  logger: Logger;
  metrics: Registry;
  store: Store;
  /** Alert state and incidents shared with the admin API (the daemon creates one). */
  alerting?: AlertingService;
}
