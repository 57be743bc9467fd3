import { clickhouseExporterFactory } from './exporters/clickhouse/factory.js';
import { prometheusExporterFactory } from './exporters/prometheus/factory.js';
import {
  factoryMap,
  type Factories,
  type ExporterFactory,
  type ProcessorFactory,
  type ReceiverFactory,
} from './pipeline/factory.js';
import { alertProcessorFactory } from './processors/alert/factory.js';
import { assembleProcessorFactory } from './processors/assemble/factory.js';
import { classifyProcessorFactory } from './processors/classify/factory.js';
import { memoryLimiterProcessorFactory } from './processors/memory_limiter/factory.js';
import { redactProcessorFactory } from './processors/redact/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';

/** Every component type this build of Faultline knows, by the name used in the config. */
export const builtinFactories: Factories = {
  receivers: factoryMap<ReceiverFactory>([otlpReceiverFactory]),
  processors: factoryMap<ProcessorFactory>([
    memoryLimiterProcessorFactory,
    redactProcessorFactory,
    assembleProcessorFactory,
    classifyProcessorFactory,
    alertProcessorFactory,
  ]),
  exporters: factoryMap<ExporterFactory>([clickhouseExporterFactory, prometheusExporterFactory]),
};
