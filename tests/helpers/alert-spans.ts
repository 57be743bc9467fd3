import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { exportSpans } from './agent-traces.js';
import type { DaemonHandle } from './daemon.js';

/**
 * Records `total` one-span agent traces of `service` with the OTel SDK, `failed` of them with
 * an error status, and exports them over OTLP/HTTP protobuf.
 */
export async function sendAgentSpans(
  daemon: DaemonHandle,
  service: string,
  total: number,
  failed: number,
): Promise<void> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('faultline-alert-tests');
  for (let i = 0; i < total; i++) {
    const span = tracer.startSpan('chat gpt-4o', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 7,
      },
    });
    if (i < failed)
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream model failed' });
    span.end();
  }
  await exportSpans(
    new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
    memory.getFinishedSpans(),
  );
}
