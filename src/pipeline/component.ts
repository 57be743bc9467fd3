import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TelemetryBatch } from '../model/index.js';
import type { Host } from './host.js';

/**
 * The lifecycle every receiver, processor and exporter shares, as in the Collector:
 * - `start` returns once the component can work; long-running work runs in the background.
 * - `shutdown` is safe before `start` and safe to call twice; it stops accepting, finishes or
 *   cancels background work and hands what it holds to the next component. It returns soon
 *   after `deadline` aborts (the service's one `shutdown_timeout`), leaving what it could not
 *   finish where it is safe or reported; without a deadline it waits as long as the work takes.
 */
export interface Component {
  start(): Promise<void>;
  shutdown(deadline?: AbortSignal): Promise<void>;
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
  /** Where the component asks for the service's extensions (storage, alerting). */
  host: Host;
}
