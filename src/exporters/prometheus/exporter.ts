import type { Span, StepInfo, TelemetryBatch } from '../../model/index.js';
import {
  SPAN_KIND_WIRE_NAMES,
  STATUS_CODE_WIRE_NAMES,
  StatusCode,
  serviceNameOf,
} from '../../model/index.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';
import { RetryableError, SHUTTING_DOWN } from '../../pipeline/errors.js';
import type { PrometheusExporterConfig } from './config.js';
import { PrometheusExporterMetrics } from './metrics.js';

/** `gen_ai.operation.name` values of the semantic conventions, kept as the span said them. */
const GEN_AI_OPERATIONS = new Set([
  'chat',
  'create_agent',
  'embeddings',
  'execute_tool',
  'generate_content',
  'invoke_agent',
  'text_completion',
]);

/** The conventions' fallback `error.type` when nothing more specific is known. */
const OTHER_ERROR = '_OTHER';

/**
 * Records every span it is handed into the daemon's metrics registry, which the admin port
 * serves at /metrics (SPEC §8): span metrics (calls and duration by service, span name, kind
 * and status), and for model calls (LLM and embedding steps) the GenAI client metrics and
 * their cost. Model calls only: agent and chain spans often repeat their children's token
 * totals, and counting them too would count tokens twice.
 *
 * Recording is synchronous and allocation-free once a series exists: label values go into
 * reused arrays and series are found through per-label maps (`telemetry/series.ts`).
 */
export class PrometheusExporter implements Exporter {
  private readonly metrics: PrometheusExporterMetrics;
  private readonly spanKey: string[] = ['', '', '', ''];
  private readonly tokenKey: string[] = ['', '', '', ''];
  private readonly durationKey: string[] = ['', '', '', ''];
  private readonly costKey: string[] = ['', ''];
  private stopped = false;

  constructor(private readonly settings: ComponentSettings<PrometheusExporterConfig>) {
    this.metrics = new PrometheusExporterMetrics(settings.metrics, settings.config);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopped) {
      return Promise.reject(
        new RetryableError(`exporter ${this.settings.id} is shutting down`, SHUTTING_DOWN),
      );
    }
    // One timestamp per batch for the exemplars it leaves behind.
    const nowSec = Date.now() / 1000;
    for (const span of batch.spans) if (!span.duplicate) this.record(span, nowSec);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  ready(): boolean {
    return true;
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  private record(span: Span, nowSec: number): void {
    const key = this.spanKey;
    key[0] = serviceNameOf(span);
    key[1] = span.name;
    // The connector's spellings: SPAN_KIND_SERVER, STATUS_CODE_ERROR, ….
    key[2] = SPAN_KIND_WIRE_NAMES[span.kind] ?? SPAN_KIND_WIRE_NAMES[0]!;
    key[3] = STATUS_CODE_WIRE_NAMES[span.statusCode] ?? STATUS_CODE_WIRE_NAMES[0]!;
    const seconds = durationSeconds(span);
    this.metrics.spans.get(key).observeTraced(seconds, span.traceId, span.spanId, nowSec);
    const step = span.step;
    if (step !== undefined && (step.type === 'llm_call' || step.type === 'embedding')) {
      this.recordModelCall(span, step, seconds, nowSec);
    }
  }

  private recordModelCall(span: Span, step: StepInfo, seconds: number, nowSec: number): void {
    const operation = GEN_AI_OPERATIONS.has(step.operation)
      ? step.operation
      : step.type === 'embedding'
        ? 'embeddings'
        : 'chat';
    const model = step.requestModel || step.responseModel;
    const { traceId, spanId } = span;

    const tokens = this.tokenKey;
    tokens[0] = operation;
    tokens[1] = step.provider;
    tokens[2] = model;
    if (step.usage.input > 0) {
      tokens[3] = 'input';
      this.metrics.tokens.get(tokens).observeTraced(step.usage.input, traceId, spanId, nowSec);
    }
    if (step.usage.output > 0) {
      tokens[3] = 'output';
      this.metrics.tokens.get(tokens).observeTraced(step.usage.output, traceId, spanId, nowSec);
    }

    const duration = this.durationKey;
    duration[0] = operation;
    duration[1] = step.provider;
    duration[2] = model;
    duration[3] = span.statusCode === StatusCode.Error ? errorType(span) : '';
    this.metrics.durations.get(duration).observeTraced(seconds, traceId, spanId, nowSec);

    if (step.costUsd > 0) {
      const cost = this.costKey;
      cost[0] = model;
      cost[1] = step.provider;
      this.metrics.cost.get(cost).value += step.costUsd;
    }
  }
}

/** The failure class the classify processor gave the span, else the conventions' `_OTHER`. */
function errorType(span: Span): string {
  return span.failures?.[0]?.failureClass ?? OTHER_ERROR;
}

function durationSeconds(span: Span): number {
  const nanos = span.endTimeUnixNano - span.startTimeUnixNano;
  return nanos > 0n ? Number(nanos) / 1e9 : 0;
}
