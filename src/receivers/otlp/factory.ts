import type { ReceiverFactory } from '../../pipeline/factory.js';
import { otlpReceiverSchema, type OtlpReceiverConfig } from './config.js';
import { OtlpReceiver } from './receiver.js';

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  type: 'otlp',
  configSchema: otlpReceiverSchema,
  create: (settings, next) => new OtlpReceiver(settings, next),
};
