export { GAP_KINDS, createStepConverter, toStepInfo } from './converter.js';
export type { ConvertOptions, GapKind, StepConverter } from './converter.js';
export {
  DEFAULT_PREVIEW_LENGTH,
  modelPriceSchema,
  previewLengthSchema,
  priceTableSchema,
} from './config.js';
export type { ModelPrice, PriceTable } from './config.js';
export type { Convention } from './conventions/kind.js';
