import type {
  AgentTrace,
  Failure,
  Span,
  SpanEvent,
  StepInfo,
  TelemetryBatch,
  TraceStep,
} from '../../../src/model/index.js';
import { classifyConfigSchema } from '../../../src/processors/classify/config.js';
import { ClassifyProcessor } from '../../../src/processors/classify/processor.js';
import { sampleSpan, stepInfo, traceStep } from '../../helpers/spans.js';
import { RecordingConsumer, settingsFor } from '../../helpers/test-doubles.js';

/** A span that assemble understood as `step`. */
export function stepSpan(step: Partial<StepInfo>, span: Partial<Span> = {}): Span {
  return sampleSpan({ ...span, step: stepInfo(step) });
}

/** A tool call of `toolName` with JSON arguments. */
export const toolStep = (
  toolName: string,
  overrides: Partial<StepInfo> = {},
): Partial<StepInfo> => ({
  type: 'tool_call',
  operation: 'execute_tool',
  toolName,
  toolArguments: '{"id":"ord_1"}',
  ...overrides,
});

export const llmStep = (overrides: Partial<StepInfo> = {}): Partial<StepInfo> => ({
  type: 'llm_call',
  operation: 'chat',
  provider: 'openai',
  requestModel: 'gpt-4o',
  responseModel: 'gpt-4o',
  ...overrides,
});

/** An `exception` event as OTel SDKs record it. */
export function exceptionEvent(type: string, message: string): SpanEvent {
  return {
    timeUnixNano: 1_700_000_000_250_000_000n,
    name: 'exception',
    attributes: { 'exception.type': type, 'exception.message': message },
    droppedAttributesCount: 0,
  };
}

/** A span that failed with `type: message`, as an SDK records a raised exception. */
export function raised(type: string, message: string): Partial<Span> {
  return {
    statusCode: 2,
    statusMessage: `${type}: ${message}`,
    events: [exceptionEvent(type, message)],
  };
}

/** A started classify processor over `rawConfig` (as written in YAML), recording what it passes on. */
export async function classifier(rawConfig: unknown = {}) {
  const next = new RecordingConsumer();
  const settings = settingsFor('classify', classifyConfigSchema.parse(rawConfig));
  const processor = new ClassifyProcessor(settings, next);
  await processor.start();
  return { processor, next, metrics: settings.metrics };
}

/** The failures `rawConfig` finds on `spans` and `traces`. */
export async function classify(
  spans: Span[],
  rawConfig: unknown = {},
  traces: AgentTrace[] = [],
): Promise<Failure[]> {
  const { processor } = await classifier(rawConfig);
  const batch: TelemetryBatch = { spans, traces, failures: [] };
  await processor.consume(batch);
  return batch.failures;
}

export const classesOf = (failures: readonly Failure[]): string[] =>
  failures.map((f) => f.failureClass).sort();

/** A trace of a root agent step (with `rootOutput`) and `steps` under it. */
export function agentTrace(
  steps: Partial<TraceStep>[],
  options: { rootOutput?: string; incomplete?: boolean; traceId?: string } = {},
): AgentTrace {
  const root = traceStep({
    spanId: 'root000000000000',
    parentSpanId: '',
    name: 'invoke_agent booker',
    type: 'agent',
    operation: 'invoke_agent',
    startTimeUnixNano: 1_699_999_999_000_000_000n,
    endTimeUnixNano: 1_700_000_100_000_000_000n,
    outputPreview: options.rootOutput ?? 'Your flight is booked.',
  });
  return {
    traceId: options.traceId ?? '4bf92f3577b34da6a3ce929d0e0e4736',
    steps: [root, ...steps.map((s) => traceStep(s))],
    incomplete: options.incomplete ?? false,
    droppedSteps: 0,
    failures: [],
    version: 1,
  };
}
