import type { ProcessorFactory } from '../../pipeline/factory.js';
import { classifyConfigSchema, type ClassifyConfig } from './config.js';
import { ClassifyProcessor } from './processor.js';

export const classifyProcessorFactory: ProcessorFactory<ClassifyConfig> = {
  type: 'classify',
  configSchema: classifyConfigSchema,
  create: (settings, next) => new ClassifyProcessor(settings, next),
};
