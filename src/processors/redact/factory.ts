import type { ProcessorFactory } from '../../pipeline/factory.js';
import { redactConfigSchema, type RedactConfig } from './config.js';
import { RedactProcessor } from './processor.js';

export const redactProcessorFactory: ProcessorFactory<RedactConfig> = {
  type: 'redact',
  configSchema: redactConfigSchema,
  create: (settings, next) => new RedactProcessor(settings, next),
};
