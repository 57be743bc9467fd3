import type { z } from 'zod';
import type {
  ComponentSettings,
  Exporter,
  Processor,
  Receiver,
  TelemetryConsumer,
} from './component.js';

/**
 * A factory per component type, as in the Collector: the type name used in the config,
 * the schema that validates (and defaults) its config, and a constructor.
 */
interface Factory<Config> {
  readonly type: string;
  readonly configSchema: z.ZodType<Config, unknown>;
}

export interface ReceiverFactory<Config = unknown> extends Factory<Config> {
  create(settings: ComponentSettings<Config>, next: TelemetryConsumer): Receiver;
}

export interface ProcessorFactory<Config = unknown> extends Factory<Config> {
  create(settings: ComponentSettings<Config>, next: TelemetryConsumer): Processor;
}

export interface ExporterFactory<Config = unknown> extends Factory<Config> {
  create(settings: ComponentSettings<Config>): Exporter;
}

/** One configured component: its id (`type` or `type/name`) and its validated config. */
export interface ComponentConfig {
  id: string;
  type: string;
  config: unknown;
}

/** The components the traces pipeline names, each list in its configured order. */
export interface PipelineComponents {
  receivers: ComponentConfig[];
  processors: ComponentConfig[];
  exporters: ComponentConfig[];
}

export interface Factories {
  receivers: ReadonlyMap<string, ReceiverFactory>;
  processors: ReadonlyMap<string, ProcessorFactory>;
  exporters: ReadonlyMap<string, ExporterFactory>;
}

/** `clickhouse/archive` → `clickhouse`: the part before the slash names the type. */
export function componentType(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/** Builds a factory table; the cast is where each factory's own Config type is erased. */
export function factoryMap<F extends { type: string }>(factories: readonly F[]): Map<string, F> {
  return new Map(factories.map((factory) => [factory.type, factory]));
}
