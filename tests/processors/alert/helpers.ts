import { alertConfigSchema, type AlertConfig } from '../../../src/processors/alert/config.js';
import { AlertProcessor } from '../../../src/processors/alert/processor.js';
import type { Failure, Span, StepInfo, TelemetryBatch } from '../../../src/model/index.js';
import { RecordingConsumer, RecordingStore, settingsFor } from '../../helpers/test-doubles.js';
import { sampleSpan, stepInfo } from '../../helpers/spans.js';

/** A clock the test moves by hand; starts at a round time. */
export class FakeClock {
  now = Date.UTC(2026, 0, 1, 12, 0, 0);
  readonly read = (): number => this.now;
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

export function alertConfig(raw: unknown): AlertConfig {
  return alertConfigSchema.parse(raw);
}

/** An alert processor on a fake clock, evaluated by hand, over an in-memory store. */
export async function alertProcessor(raw: unknown, store = new RecordingStore()) {
  const clock = new FakeClock();
  const next = new RecordingConsumer();
  const settings = settingsFor('alert', alertConfig(raw), store);
  const processor = new AlertProcessor(settings, next, { clock: clock.read, timer: false });
  await processor.start();
  const send = (spans: Span[], failures: Failure[] = []) =>
    processor.consume({ spans, traces: [], failures } satisfies TelemetryBatch);
  return { processor, clock, next, store, settings, send };
}

export function span(
  step: Partial<StepInfo> = {},
  overrides: Partial<Span> & { service?: string; durationMs?: number } = {},
): Span {
  const { service = 'checkout', durationMs = 100, ...rest } = overrides;
  const start = 1_700_000_000_000_000_000n;
  return sampleSpan({
    step: stepInfo({ type: 'llm_call', ...step }),
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.round(durationMs * 1e6)),
    resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0, schemaUrl: '' },
    failures: [],
    ...rest,
  });
}

export const errorSpan = (step: Partial<StepInfo> = {}, service = 'checkout'): Span =>
  span(step, { statusCode: 2, service });

export function failure(failureClass: string, overrides: Partial<Failure> = {}): Failure {
  return {
    failureId: Math.random().toString(16).slice(2),
    timeUnixNano: 1_700_000_000_000_000_000n,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: '00f067aa0ba902b7',
    serviceName: 'checkout',
    agentName: 'booker',
    stepType: 'tool_call',
    spanName: 'book',
    operation: 'book_flight',
    failureClass,
    severity: 'high',
    rule: `builtin.${failureClass}`,
    signature: 'sig',
    message: 'boom',
    status: 'new',
    causedBy: '',
    causeSignature: '',
    revision: 0,
    ...overrides,
  };
}

export const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));
