import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ComponentConfig, FaultlineConfig } from '../config/load.js';
import type { AlertingService } from '../alerting/service.js';
import type { Store } from '../storage/store.js';
import type { Exporter, Processor, Receiver, TelemetryConsumer } from './component.js';
import { FanoutConsumer } from './fanout.js';
import type { Factories } from './factory.js';

export interface PipelineEnvironment {
  logger: Logger;
  metrics: Registry;
  store: Store;
  alerting?: AlertingService;
}

/**
 * The traces pipeline, wired from `service.pipelines.traces`:
 * receivers → processors (in order) → exporters (fan-out). Data flows one way; components are
 * started from the end of the line backwards and stopped from the front, so nothing ever
 * hands data to a component that is not running.
 */
export class TracesPipeline {
  private started: { shutdown(): Promise<void> }[] = [];

  private constructor(
    private readonly receivers: Receiver[],
    private readonly processors: Processor[],
    private readonly exporters: Exporter[],
    private readonly logger: Logger,
  ) {}

  static build(
    config: FaultlineConfig,
    factories: Factories,
    environment: PipelineEnvironment,
  ): TracesPipeline {
    const settings = (component: ComponentConfig) => ({
      ...environment,
      id: component.id,
      config: component.config,
      logger: environment.logger.child({ component: component.id }),
    });
    const exporters = config.components.exporters.map((c) =>
      factories.exporters.get(c.type)!.create(settings(c)),
    );
    let next: TelemetryConsumer = new FanoutConsumer(exporters);
    const processors: Processor[] = [];
    for (const component of [...config.components.processors].reverse()) {
      const processor = factories.processors.get(component.type)!.create(settings(component), next);
      processors.unshift(processor);
      next = processor;
    }
    const receivers = config.components.receivers.map((c) =>
      factories.receivers.get(c.type)!.create(settings(c), next),
    );
    return new TracesPipeline(receivers, processors, exporters, environment.logger);
  }

  /** Starts exporters, then processors, then receivers; a failure stops what already started. */
  async start(): Promise<void> {
    for (const component of [
      ...this.exporters,
      ...[...this.processors].reverse(),
      ...this.receivers,
    ]) {
      try {
        await component.start();
      } catch (error) {
        await this.shutdown();
        throw error;
      }
      this.started.push(component);
    }
  }

  /**
   * Receivers stop accepting first; while they wait for their in-flight requests, the rest of
   * the line flushes, which is what lets those requests be acknowledged. Then processors and
   * exporters stop in data-flow order, each flushing what it holds downstream.
   */
  async shutdown(): Promise<void> {
    const started = new Set(this.started);
    this.started = [];
    const stop = async (component: { shutdown(): Promise<void> }) => {
      if (!started.has(component)) return;
      try {
        await component.shutdown();
      } catch (error) {
        this.logger.error({ err: error }, 'component failed to shut down cleanly');
      }
    };
    const receiversStopped = Promise.all(this.receivers.map(stop));
    await this.flushDownstream();
    await receiversStopped;
    for (const component of [...this.processors, ...this.exporters]) await stop(component);
  }

  private async flushDownstream(): Promise<void> {
    try {
      await (this.processors[0] ?? new FanoutConsumer(this.exporters)).flush();
    } catch (error) {
      this.logger.error({ err: error }, 'flush during shutdown failed');
    }
  }

  /** True while every exporter can take more data. */
  ready(): boolean {
    return this.exporters.every((exporter) => exporter.ready());
  }
}
