import type { ExporterFactory } from '../../pipeline/factory.js';
import { clickhouseExporterSchema, type ClickhouseExporterConfig } from './config.js';
import { ClickhouseExporter } from './exporter.js';

export const clickhouseExporterFactory: ExporterFactory<ClickhouseExporterConfig> = {
  type: 'clickhouse',
  configSchema: clickhouseExporterSchema,
  create: (settings) => new ClickhouseExporter(settings),
};
