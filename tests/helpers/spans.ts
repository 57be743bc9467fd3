import type { Span } from '../../src/model/index.js';

let counter = 0;

/** A minimal valid span; every call gets a fresh span id. */
export function sampleSpan(overrides: Partial<Span> = {}): Span {
  counter++;
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: counter.toString(16).padStart(16, '0'),
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'sample',
    kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_250_000_000n,
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    statusCode: 0,
    statusMessage: '',
    resource: {
      attributes: { 'service.name': 'sample-service' },
      droppedAttributesCount: 0,
      schemaUrl: '',
    },
    scope: {
      name: 'sample-scope',
      version: '1.0.0',
      attributes: {},
      droppedAttributesCount: 0,
      schemaUrl: '',
    },
    ...overrides,
  };
}
