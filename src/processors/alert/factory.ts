import type { ProcessorFactory } from '../../pipeline/factory.js';
import { alertConfigSchema, type AlertConfig } from './config.js';
import { AlertProcessor } from './processor.js';

export const alertProcessorFactory: ProcessorFactory<AlertConfig> = {
  type: 'alert',
  configSchema: alertConfigSchema,
  create: (settings, next) => new AlertProcessor(settings, next),
};
