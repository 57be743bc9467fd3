import type { ProcessorFactory } from '../../pipeline/factory.js';
import { memoryLimiterConfigSchema, type MemoryLimiterConfig } from './config.js';
import { MemoryLimiterProcessor } from './processor.js';

export const memoryLimiterProcessorFactory: ProcessorFactory<MemoryLimiterConfig> = {
  type: 'memory_limiter',
  configSchema: memoryLimiterConfigSchema,
  create: (settings, next) => new MemoryLimiterProcessor(settings, next),
};
