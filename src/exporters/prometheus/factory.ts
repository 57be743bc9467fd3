import type { ExporterFactory } from '../../pipeline/factory.js';
import { prometheusExporterSchema, type PrometheusExporterConfig } from './config.js';
import { PrometheusExporter } from './exporter.js';

export const prometheusExporterFactory: ExporterFactory<PrometheusExporterConfig> = {
  type: 'prometheus',
  configSchema: prometheusExporterSchema,
  create: (settings) => new PrometheusExporter(settings),
};
