import type { ProcessorFactory } from '../../pipeline/factory.js';
import { assembleConfigSchema, type AssembleConfig } from './config.js';
import { AssembleProcessor } from './processor.js';

export const assembleProcessorFactory: ProcessorFactory<AssembleConfig> = {
  type: 'assemble',
  configSchema: assembleConfigSchema,
  create: (settings, next) => new AssembleProcessor(settings, next),
};
