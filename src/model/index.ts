export type { AttributeValue, Attributes } from './attributes.js';
export { KeyValueList, attributeToText, emptyRecord } from './attributes.js';
export type { InstrumentationScope, Resource, Span, SpanEvent, SpanLink } from './span.js';
export { SPAN_KIND_NAMES, STATUS_CODE_NAMES, SpanKind, StatusCode, serviceNameOf } from './span.js';
