// A custom support agent traced with faultline/tracer, no instrumentation library needed.
// Run a daemon (npm run serve), then: npm run build && node examples/support-agent.mjs
// Spans go over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as faultline from 'faultline/tracer';

// The OpenTelemetry SDK set up once per process: async context, so steps nest under the run.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-agent' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
trace.setGlobalTracerProvider(provider);

// Stand-ins for the agent's model, tools and stores.
const orders = { 'A-1001': { item: 'kettle', paid: 49 } };
const lookupOrder = async ({ id }) => orders[id] ?? null;
const searchPolicies = async () => [{ id: 'refunds-30-days' }, { id: 'damaged-items' }];
const issueRefund = async () => {
  throw new Error('payment gateway timed out');
};

const question = 'My kettle from order A-1001 arrived broken, can I get a refund?';

await faultline.run('support-agent', async () => {
  await faultline.userInput(question);
  await faultline.memoryRead('customer-notes', async () => ['prefers email']);
  const policies = await faultline.retrieval('policies', question, searchPolicies);
  const plan = await faultline.llmCall(
    { model: 'gpt-4o-mini', provider: 'openai', input: question },
    async (step) => {
      step.responseModel('gpt-4o-mini-2024-07-18');
      step.usage({ input: 420, output: 60, cacheRead: 128 });
      step.output(`refund per ${policies[0].id}`);
      return 'refund';
    },
  );
  const order = await faultline.toolCall('lookup_order', { id: 'A-1001' }, () =>
    lookupOrder({ id: 'A-1001' }),
  );
  const approved = await faultline.interrupt('approve refund', async () => true);
  if (plan === 'refund' && approved) {
    try {
      await faultline.toolCall('issue_refund', { amount: order.paid }, issueRefund);
    } catch {
      await faultline.stateChange('ticket', 'open', 'escalated');
    }
  }
  await faultline.memoryWrite('customer-notes', async () => undefined);
  await faultline.finalOutput('I have passed your refund to a colleague, who will email you.');
});

await provider.shutdown();
