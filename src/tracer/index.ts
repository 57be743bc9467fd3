import { SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

/**
 * `faultline/tracer`: agent steps as OpenTelemetry spans for agents without an instrumentation
 * library. Each helper opens a span named and attributed by the GenAI conventions (or, for the
 * steps no convention names, with `faultline.step.type`), runs the callback inside it, records
 * a thrown error as an exception with an error status, and ends the span. Spans go wherever
 * the application's OpenTelemetry SDK sends them (point its OTLP exporter at Faultline).
 */

const SCOPE = 'faultline/tracer';

/** The step being recorded: the span, and setters for what is known only at the end. */
export interface Step {
  span: Span;
  /** Token usage of a model call, as the provider reported it. */
  usage(tokens: TokenCounts): void;
  /** The model that answered, when it differs from the requested one (a dated version). */
  responseModel(model: string): void;
  /** The step's output text (shown as its preview, after redaction). */
  output(text: string): void;
}

export interface TokenCounts {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface LlmCall {
  model: string;
  /** `gen_ai.provider.name`: openai, anthropic, gcp.gemini, … */
  provider?: string;
  /** The prompt (its text, or the messages as JSON). */
  input?: string;
}

const tracer = (): Tracer => trace.getTracer(SCOPE);

/** Runs `fn` inside a span; errors are recorded and rethrown; the span always ends. */
function inSpan<T>(name: string, attributes: Attributes, fn: (step: Step) => T | Promise<T>) {
  return tracer().startActiveSpan(name, { attributes }, async (span): Promise<T> => {
    try {
      return await fn(stepOf(span));
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

function stepOf(span: Span): Step {
  return {
    span,
    usage(tokens) {
      const counts: [string, number | undefined][] = [
        ['gen_ai.usage.input_tokens', tokens.input],
        ['gen_ai.usage.output_tokens', tokens.output],
        ['gen_ai.usage.cache_read.input_tokens', tokens.cacheRead],
        ['gen_ai.usage.cache_creation.input_tokens', tokens.cacheWrite],
        ['gen_ai.usage.reasoning.output_tokens', tokens.reasoning],
      ];
      for (const [key, value] of counts) if (value !== undefined) span.setAttribute(key, value);
    },
    responseModel(model) {
      span.setAttribute('gen_ai.response.model', model);
    },
    output(text) {
      span.setAttribute('output.value', text);
    },
  };
}

/** A step type no convention names, recorded as an instant span (or around `fn`). */
function faultlineStep<T>(
  type: 'user_input' | 'final_output' | 'interrupt' | 'state_change',
  name: string,
  attributes: Attributes,
  fn?: (step: Step) => T | Promise<T>,
): Promise<T | undefined> {
  return inSpan(name, { 'faultline.step.type': type, ...attributes }, (step) => fn?.(step));
}

/** One run of an agent: an `invoke_agent` span around everything `fn` does. */
export function run<T>(agentName: string, fn: (step: Step) => T | Promise<T>): Promise<T> {
  return inSpan(
    `invoke_agent ${agentName}`,
    { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agentName },
    fn,
  );
}

/** A model call (`chat {model}`); report its usage with `step.usage`. */
export function llmCall<T>(call: LlmCall, fn: (step: Step) => T | Promise<T>): Promise<T> {
  return inSpan(
    `chat ${call.model}`,
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': call.model,
      ...(call.provider === undefined ? {} : { 'gen_ai.provider.name': call.provider }),
      ...(call.input === undefined ? {} : { 'input.value': call.input }),
    },
    fn,
  );
}

/** A tool execution (`execute_tool {name}`); its result is recorded as JSON. */
export function toolCall<T>(
  toolName: string,
  args: unknown,
  fn: (step: Step) => T | Promise<T>,
): Promise<T> {
  return inSpan(
    `execute_tool ${toolName}`,
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': toolName,
      'gen_ai.tool.call.arguments': JSON.stringify(args) ?? '',
    },
    async (step) => {
      const result = await fn(step);
      step.span.setAttribute('gen_ai.tool.call.result', JSON.stringify(result) ?? '');
      return result;
    },
  );
}

/** A retrieval from `source`; `fn` returns the documents found (their count is recorded). */
export function retrieval<T extends readonly unknown[]>(
  source: string,
  query: string,
  fn: (step: Step) => T | Promise<T>,
): Promise<T> {
  return inSpan(
    `retrieval ${source}`,
    {
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': source,
      'gen_ai.retrieval.query.text': query,
    },
    async (step) => {
      const documents = await fn(step);
      step.span.setAttribute('db.response.returned_rows', documents.length);
      return documents;
    },
  );
}

/** A read from the agent's memory store (`search_memory`). */
export function memoryRead<T>(store: string, fn: (step: Step) => T | Promise<T>): Promise<T> {
  return inSpan(
    `search_memory ${store}`,
    { 'gen_ai.operation.name': 'search_memory', 'gen_ai.memory.store.name': store },
    fn,
  );
}

/** A write to the agent's memory store (`update_memory`). */
export function memoryWrite<T>(store: string, fn: (step: Step) => T | Promise<T>): Promise<T> {
  return inSpan(
    `update_memory ${store}`,
    { 'gen_ai.operation.name': 'update_memory', 'gen_ai.memory.store.name': store },
    fn,
  );
}

/** What the user said to the agent. */
export function userInput(text: string): Promise<void> {
  return faultlineStep('user_input', 'user_input', { 'input.value': text }).then(() => undefined);
}

/** The agent's final answer to the user. */
export function finalOutput(text: string): Promise<void> {
  return faultlineStep('final_output', 'final_output', { 'output.value': text }).then(
    () => undefined,
  );
}

/**
 * The agent stopped for a human (approval, clarification); `fn`, when given, waits for the
 * answer inside the step.
 */
export async function interrupt<T>(
  reason: string,
  fn?: (step: Step) => T | Promise<T>,
): Promise<T | undefined> {
  return faultlineStep('interrupt', `interrupt ${reason}`, { 'input.value': reason }, fn);
}

/** The agent's state moved (`from` → `to`), e.g. a plan step done or a ticket reassigned. */
export function stateChange(name: string, from: string, to: string): Promise<void> {
  return faultlineStep('state_change', `state_change ${name}`, {
    'input.value': from,
    'output.value': to,
  }).then(() => undefined);
}
