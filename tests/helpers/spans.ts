import type { Span, StepInfo, TraceStep } from '../../src/model/index.js';

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

/** A StepInfo with nothing known, as the assemble processor leaves a bare span. */
export function stepInfo(overrides: Partial<StepInfo> = {}): StepInfo {
  return {
    type: 'span',
    convention: 'none',
    operation: '',
    agentName: '',
    requestModel: '',
    responseModel: '',
    provider: '',
    usage: { input: 0, output: 0, total: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    costUsd: 0,
    toolName: '',
    toolArguments: '',
    toolResult: '',
    retrievalDocuments: 0,
    retrievalTopScore: Number.NaN,
    sessionId: '',
    userHash: '',
    finishReasons: [],
    inputPreview: '',
    outputPreview: '',
    evaluations: [],
    gaps: [],
    ...overrides,
  };
}

let stepCounter = 0;

/** One step of an assembled trace; fresh span id each call. */
export function traceStep(overrides: Partial<TraceStep> = {}): TraceStep {
  stepCounter++;
  const start = 1_700_000_000_000_000_000n + BigInt(stepCounter) * 1_000_000n;
  return {
    spanId: `a${stepCounter.toString(16).padStart(15, '0')}`,
    parentSpanId: 'root000000000000',
    name: 'step',
    type: 'span',
    serviceName: 'booking-agent',
    agentName: 'booker',
    sessionId: '',
    userHash: '',
    startTimeUnixNano: start,
    endTimeUnixNano: start + 500_000n,
    statusCode: 0,
    statusMessage: '',
    operation: '',
    model: '',
    toolName: '',
    toolArguments: '',
    usage: { input: 0, output: 0, total: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    costUsd: 0,
    outputPreview: '',
    failures: [],
    ...overrides,
  };
}

/**
 * `length` steps, each the child of the one before and starting after it: a step tree as deep
 * as it is long. Span ids are `c` and the index in hex.
 */
export function stepChain(length: number): TraceStep[] {
  const id = (n: number) => `c${n.toString(16).padStart(15, '0')}`;
  return Array.from({ length }, (_, n) =>
    traceStep({
      spanId: id(n),
      parentSpanId: n === 0 ? '' : id(n - 1),
      startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(n),
    }),
  );
}
