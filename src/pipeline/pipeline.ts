import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Component, Exporter, Processor, Receiver, TelemetryConsumer } from './component.js';
import { within } from './deadline.js';
import { FanoutConsumer } from './fanout.js';
import type { ComponentConfig, Factories, PipelineComponents } from './factory.js';
import type { Host } from './host.js';

export interface PipelineEnvironment {
  logger: Logger;
  metrics: Registry;
  host: Host;
}

/**
 * The traces pipeline, wired from `service.pipelines.traces`:
 * receivers → processors (in order) → exporters (fan-out). Data flows one way; components are
 * started from the end of the line backwards and stopped from the front, so nothing ever
 * hands data to a component that is not running.
 */
export class TracesPipeline {
  private started: Component[] = [];

  private constructor(
    private readonly receivers: Receiver[],
    private readonly processors: Processor[],
    private readonly exporters: Exporter[],
    private readonly logger: Logger,
  ) {}

  static build(
    config: { components: PipelineComponents },
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
   * exporters stop in data-flow order, each flushing what it holds downstream. Every component
   * gets the same `deadline`; once it passes, each stops waiting and returns.
   */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    const started = new Set(this.started);
    this.started = [];
    const stop = async (component: Component) => {
      if (!started.has(component)) return;
      try {
        await component.shutdown(deadline);
      } catch (error) {
        this.logger.error({ err: error }, 'component failed to shut down cleanly');
      }
    };
    const receiversStopped = Promise.all(this.receivers.map(stop));
    await this.flushDownstream(deadline);
    await receiversStopped;
    for (const component of [...this.processors, ...this.exporters]) await stop(component);
  }

  private async flushDownstream(deadline?: AbortSignal): Promise<void> {
    try {
      const flushed = await within(
        (this.processors[0] ?? new FanoutConsumer(this.exporters)).flush(),
        deadline,
      );
      if (!flushed) this.logger.warn('shutdown deadline passed while flushing the pipeline');
    } catch (error) {
      this.logger.error({ err: error }, 'flush during shutdown failed');
    }
  }

  /** True while every exporter can take more data. */
  ready(): boolean {
    return this.exporters.every((exporter) => exporter.ready());
  }
}
