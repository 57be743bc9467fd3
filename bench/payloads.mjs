// Realistic AI-agent OTLP trace requests, pre-encoded with the daemon's own protobuf types.
// Shared by the load generator and the decode micro-benchmark, so both measure the same bytes.
//
// A request is what one agent process's batch span processor sends: one resource (a service),
// three instrumentation scopes (agent framework, LLM client, retriever) and `spansPerRequest`
// spans from several traces. A trace is a root `invoke_agent` span with LLM `chat` spans,
// `execute_tool` spans and retrieval spans under it; spans come in end order, as SDKs export
// them, and a batch may cut the last trace. About 20 attributes per span, prompt and completion
// text in `gen_ai.input.messages` / `gen_ai.output.messages`, ~5% error spans with an
// `exception` event, ~10% with an email address and a phone number in their content.

import { Buffer } from 'node:buffer';
import Long from 'long';
import { otlpReceiverSchema } from '../dist/receivers/otlp/config.js';
import { ExportTraceServiceRequest } from '../dist/receivers/otlp/proto.js';
import { TraceProtobufDecoder } from '../dist/receivers/otlp/protobuf-traces.js';
import { prng } from './prng.mjs';

export const ERROR_RATE = 0.05;
export const PII_RATE = 0.1;

const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

const WORDS = (
  'the customer order refund invoice account shipping delay policy agent tool search result ' +
  'database query summary status update ticket priority escalate review contract renewal plan ' +
  'billing address payment card failed retry schedule meeting calendar report quarterly revenue ' +
  'forecast inventory warehouse product catalog price discount coupon subscription cancel ' +
  'upgrade support knowledge base article answer question context document section page ' +
  'user request response latency error timeout network region deployment version release'
).split(' ');

const SERVICES = [
  { name: 'support-agent', runtime: 'cpython', runtimeVersion: '3.12.4', language: 'python' },
  { name: 'research-agent', runtime: 'nodejs', runtimeVersion: '20.15.1', language: 'nodejs' },
  { name: 'billing-agent', runtime: 'cpython', runtimeVersion: '3.11.9', language: 'python' },
  { name: 'coding-agent', runtime: 'nodejs', runtimeVersion: '22.4.0', language: 'nodejs' },
];

const MODELS = [
  { provider: 'openai', model: 'gpt-4o-2024-08-06', server: 'api.openai.com' },
  { provider: 'openai', model: 'gpt-4o-mini', server: 'api.openai.com' },
  { provider: 'anthropic', model: 'claude-sonnet-4-20250514', server: 'api.anthropic.com' },
  {
    provider: 'aws.bedrock',
    model: 'anthropic.claude-3-5-haiku',
    server: 'bedrock-runtime.us-east-1.amazonaws.com',
  },
];

const TOOLS = [
  { name: 'lookup_order', description: 'Find an order by id', host: 'orders.internal' },
  {
    name: 'issue_refund',
    description: 'Refund part or all of an order',
    host: 'payments.internal',
  },
  { name: 'search_web', description: 'Search the public web', host: 'search.internal' },
  { name: 'create_ticket', description: 'Open a support ticket', host: 'tickets.internal' },
  { name: 'run_sql', description: 'Run a read-only SQL query', host: 'warehouse.internal' },
];

const VECTOR_STORES = [
  { system: 'qdrant', collection: 'kb-articles', host: 'qdrant.internal', port: 6333 },
  { system: 'postgresql', collection: 'doc_chunks', host: 'pg-vector.internal', port: 5432 },
];

const PII_SNIPPETS = [
  'you can reach me at jane.doe@example.com or +1 415-555-0132',
  'my email is m.rossi@example.org and my phone is +39 347 555 0199',
  'call me on (212) 555-0147 or write to ops-team@example.net',
  'send the receipt to li.wei@example.com, mobile +44 7700 900123',
];

const STACK =
  'Traceback (most recent call last):\n' +
  '  File "/srv/agent/tools/runner.py", line 88, in run_tool\n' +
  '    result = await tool.invoke(arguments)\n' +
  '  File "/srv/agent/tools/http_tool.py", line 41, in invoke\n' +
  '    response.raise_for_status()\n' +
  '  File "/usr/lib/python3.12/site-packages/httpx/_models.py", line 761, in raise_for_status\n' +
  '    raise HTTPStatusError(message, request=request, response=self)\n' +
  "httpx.HTTPStatusError: Server error '503 Service Unavailable'";

const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: value } });
const dbl = (key, value) => ({ key, value: { doubleValue: value } });
const strArray = (key, values) => ({
  key,
  value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } },
});

/** Nanoseconds as an unsigned Long (timestamps need all 64 bits). */
const nanos = (ns) => Long.fromString(ns.toString(), true);

class Generator {
  constructor(seed) {
    this.random = prng(seed);
  }

  pick(items) {
    return items[Math.floor(this.random() * items.length)];
  }

  int(min, max) {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  bytes(n) {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.random() * 256);
    return out;
  }

  hex(n) {
    return this.bytes(n).toString('hex');
  }

  sentence(minWords, maxWords) {
    const n = this.int(minWords, maxWords);
    const words = new Array(n);
    for (let i = 0; i < n; i++) words[i] = this.pick(WORDS);
    const text = words.join(' ');
    return text[0].toUpperCase() + text.slice(1) + '.';
  }

  /** A few hundred bytes of prose; with `pii`, an email address and a phone number inside. */
  prose(pii) {
    const parts = [this.sentence(12, 24), this.sentence(12, 24), this.sentence(8, 16)];
    if (pii) parts.splice(1, 0, this.pick(PII_SNIPPETS) + '.');
    return parts.join(' ');
  }
}

/**
 * Builds one trace's spans in export (end-time) order. `startNs` is the trace start (bigint).
 */
function buildTrace(gen, service, startNs) {
  const traceId = gen.bytes(16);
  const rootId = gen.bytes(8);
  const conversationId = `conv_${gen.hex(8)}`;
  const agentName = service.name;
  const agentId = `asst_${gen.hex(6)}`;
  const model = gen.pick(MODELS);
  const spans = []; // { scope, span }
  let cursor = startNs + BigInt(gen.int(1, 5) * 1_000_000);
  let inputTotal = 0;
  let outputTotal = 0;

  const errorPart = (span) => {
    if (gen.random() >= ERROR_RATE) {
      span.status = { code: span.kind === SPAN_KIND_CLIENT ? 0 : STATUS_OK, message: '' };
      return;
    }
    const type = gen.pick(['httpx.HTTPStatusError', 'TimeoutError', 'openai.RateLimitError']);
    const message = `${type.split('.').pop()}: ${gen.sentence(5, 10)}`;
    span.status = { code: STATUS_ERROR, message };
    span.attributes.push(str('error.type', type));
    span.events.push({
      timeUnixNano: span.endTimeUnixNano,
      name: 'exception',
      attributes: [
        str('exception.type', type),
        str('exception.message', message),
        str('exception.stacktrace', STACK),
        { key: 'exception.escaped', value: { boolValue: true } },
      ],
    });
  };

  const common = (operation) => [
    str('gen_ai.operation.name', operation),
    str('gen_ai.agent.name', agentName),
    str('gen_ai.agent.id', agentId),
    str('gen_ai.conversation.id', conversationId),
  ];

  const makeSpan = (name, kind, durationMs, attributes) => {
    const start = cursor;
    const end = start + BigInt(Math.round(durationMs * 1_000_000));
    cursor = end + BigInt(gen.int(0, 3) * 1_000_000);
    const span = {
      traceId,
      spanId: gen.bytes(8),
      parentSpanId: rootId,
      name,
      kind,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(end),
      attributes,
      events: [],
      links: [],
      status: {},
    };
    errorPart(span);
    return span;
  };

  const chat = () => {
    const pii = gen.random() < PII_RATE;
    const input = gen.int(300, 4000);
    const output = gen.int(20, 600);
    inputTotal += input;
    outputTotal += output;
    const finish = gen.random() < 0.4 ? 'tool_calls' : 'stop';
    const inputMessages = JSON.stringify([
      {
        role: 'system',
        parts: [{ type: 'text', content: `You are ${agentName}. ${gen.sentence(10, 18)}` }],
      },
      { role: 'user', parts: [{ type: 'text', content: gen.prose(pii) }] },
    ]);
    const outputMessages = JSON.stringify([
      {
        role: 'assistant',
        parts:
          finish === 'tool_calls'
            ? [
                {
                  type: 'tool_call',
                  id: `call_${gen.hex(8)}`,
                  name: gen.pick(TOOLS).name,
                  arguments: { query: gen.sentence(3, 8) },
                },
              ]
            : [{ type: 'text', content: gen.prose(false) }],
        finish_reason: finish,
      },
    ]);
    return makeSpan(`chat ${model.model}`, SPAN_KIND_CLIENT, gen.int(400, 6000), [
      ...common('chat'),
      str('gen_ai.provider.name', model.provider),
      str('gen_ai.request.model', model.model),
      str('gen_ai.response.model', model.model),
      str('gen_ai.response.id', `chatcmpl-${gen.hex(12)}`),
      dbl('gen_ai.request.temperature', Math.round(gen.random() * 100) / 100),
      dbl('gen_ai.request.top_p', 1),
      int('gen_ai.request.max_tokens', 4096),
      int('gen_ai.usage.input_tokens', input),
      int('gen_ai.usage.output_tokens', output),
      int('gen_ai.usage.cache_read.input_tokens', Math.floor(input / 3)),
      strArray('gen_ai.response.finish_reasons', [finish]),
      str('gen_ai.output.type', 'text'),
      str('gen_ai.input.messages', inputMessages),
      str('gen_ai.output.messages', outputMessages),
      str('server.address', model.server),
      int('server.port', 443),
    ]);
  };

  const tool = () => {
    const t = gen.pick(TOOLS);
    const pii = gen.random() < PII_RATE;
    const args = JSON.stringify({
      id: `ord_${gen.hex(5)}`,
      note: pii ? gen.pick(PII_SNIPPETS) : gen.sentence(4, 10),
      limit: gen.int(1, 50),
    });
    const result = JSON.stringify({
      ok: true,
      items: [gen.sentence(6, 12), gen.sentence(6, 12)],
      total: gen.int(0, 500),
    });
    return makeSpan(`execute_tool ${t.name}`, SPAN_KIND_INTERNAL, gen.int(20, 900), [
      ...common('execute_tool'),
      str('gen_ai.tool.name', t.name),
      str('gen_ai.tool.call.id', `call_${gen.hex(8)}`),
      str('gen_ai.tool.type', 'function'),
      str('gen_ai.tool.description', t.description),
      str('gen_ai.tool.call.arguments', args),
      str('gen_ai.tool.call.result', result),
      str('code.function.name', `tools.${t.name}`),
      str('http.request.method', 'POST'),
      str('url.full', `https://${t.host}/v1/${t.name}`),
      int('http.response.status_code', 200),
      str('server.address', t.host),
      int('server.port', 443),
      str('network.protocol.version', '1.1'),
      int('tool.attempt', 1),
      str('tool.framework', 'langgraph'),
    ]);
  };

  const retrieval = () => {
    const store = gen.pick(VECTOR_STORES);
    const pii = gen.random() < PII_RATE;
    const docs = JSON.stringify(
      Array.from({ length: 4 }, () => ({ id: `doc_${gen.hex(4)}`, score: gen.random() })),
    );
    return makeSpan(`retrieval ${store.collection}`, SPAN_KIND_CLIENT, gen.int(15, 250), [
      ...common('retrieval'),
      str('gen_ai.data_source.id', store.collection),
      str('gen_ai.request.model', 'text-embedding-3-small'),
      int('gen_ai.request.top_k', 4),
      int('gen_ai.embeddings.dimension.count', 1536),
      int('gen_ai.usage.input_tokens', gen.int(8, 120)),
      str('db.system.name', store.system),
      str('db.collection.name', store.collection),
      str('db.operation.name', 'search'),
      str(
        'db.query.text',
        pii ? `${gen.sentence(4, 8)} ${gen.pick(PII_SNIPPETS)}` : gen.sentence(5, 12),
      ),
      str('retrieval.documents', docs),
      int('db.response.returned_rows', 4),
      str('server.address', store.host),
      int('server.port', store.port),
      str('network.transport', 'tcp'),
    ]);
  };

  const steps = gen.int(2, 5);
  for (let step = 0; step < steps; step++) {
    if (gen.random() < 0.5) spans.push({ scope: 2, span: retrieval() });
    spans.push({ scope: 1, span: chat() });
    const tools = gen.int(0, 2);
    for (let i = 0; i < tools; i++) spans.push({ scope: 0, span: tool() });
  }
  spans.push({ scope: 1, span: chat() });

  const pii = gen.random() < PII_RATE;
  const root = {
    traceId,
    spanId: rootId,
    parentSpanId: Buffer.alloc(0),
    name: `invoke_agent ${agentName}`,
    kind: SPAN_KIND_SERVER,
    startTimeUnixNano: nanos(startNs),
    endTimeUnixNano: nanos(cursor + 1_000_000n),
    attributes: [
      ...common('invoke_agent'),
      str('gen_ai.agent.description', `Handles ${gen.pick(WORDS)} requests for customers`),
      str('gen_ai.provider.name', model.provider),
      str('gen_ai.request.model', model.model),
      int('gen_ai.usage.input_tokens', inputTotal),
      int('gen_ai.usage.output_tokens', outputTotal),
      str(
        'gen_ai.input.messages',
        JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: gen.prose(pii) }] }]),
      ),
      str(
        'gen_ai.output.messages',
        JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'text', content: gen.prose(false) }],
            finish_reason: 'stop',
          },
        ]),
      ),
      str('enduser.id', `user_${gen.hex(5)}`),
      str('session.id', `sess_${gen.hex(8)}`),
      str('http.request.method', 'POST'),
      str('http.route', '/v1/agents/{agent}/runs'),
      int('http.response.status_code', 200),
      str('user_agent.original', 'agent-client/2.3.1 (python-httpx/0.27.0)'),
      str('client.address', `10.${gen.int(0, 255)}.${gen.int(0, 255)}.${gen.int(1, 254)}`),
      int('agent.steps', steps),
    ],
    events: [],
    links: [],
    status: {},
  };
  root.status = { code: STATUS_OK, message: '' };
  if (gen.random() < ERROR_RATE) {
    root.status = { code: STATUS_ERROR, message: 'agent run failed: a tool kept failing' };
    root.attributes.push(str('error.type', 'AgentRunError'));
    root.events.push({
      timeUnixNano: root.endTimeUnixNano,
      name: 'exception',
      attributes: [
        str('exception.type', 'AgentRunError'),
        str('exception.message', 'agent run failed: a tool kept failing'),
        str('exception.stacktrace', STACK),
      ],
    });
  }
  spans.push({ scope: 0, span: root });
  return { traceId, spans };
}

function resourceFor(gen, service) {
  return {
    attributes: [
      str('service.name', service.name),
      str('service.version', `1.${gen.int(0, 9)}.${gen.int(0, 30)}`),
      str('service.namespace', 'agents'),
      str('service.instance.id', gen.hex(16)),
      str('deployment.environment.name', 'production'),
      str('host.name', `ip-10-0-${gen.int(0, 255)}-${gen.int(1, 254)}.ec2.internal`),
      str('host.arch', 'amd64'),
      str('os.type', 'linux'),
      int('process.pid', gen.int(100, 65000)),
      str('process.runtime.name', service.runtime),
      str('process.runtime.version', service.runtimeVersion),
      str('telemetry.sdk.name', 'opentelemetry'),
      str('telemetry.sdk.language', service.language),
      str('telemetry.sdk.version', '1.27.0'),
      str('cloud.provider', 'aws'),
      str('cloud.region', 'us-east-1'),
    ],
  };
}

const SCOPES = [
  { name: 'opentelemetry.instrumentation.langgraph', version: '0.4.2' },
  { name: 'opentelemetry.instrumentation.openai_v2', version: '2.1b0' },
  { name: 'opentelemetry.instrumentation.vectorstore', version: '0.2.0' },
];

/**
 * Builds `count` distinct requests of `spansPerRequest` spans each, encoded as OTLP protobuf.
 * Each entry: `bytes` (Buffer), `spans`, and `traceIdOffsets` (where trace ids sit in `bytes`,
 * for `withFreshTraceIds`). `stats` describes the mix, for the results file.
 */
export function buildRequestPool({ count = 50, spansPerRequest = 200, seed = 42 } = {}) {
  const gen = new Generator(seed);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const requests = [];
  const stats = { spans: 0, bytes: 0, attributes: 0, errors: 0, pii: 0, byOperation: {} };
  for (let r = 0; r < count; r++) {
    const service = SERVICES[r % SERVICES.length];
    const scoped = [[], [], []];
    const traceIds = [];
    let spans = 0;
    while (spans < spansPerRequest) {
      const startNs = nowNs - BigInt(gen.int(5_000, 60_000)) * 1_000_000n;
      const trace = buildTrace(gen, service, startNs);
      traceIds.push(trace.traceId);
      for (const { scope, span } of trace.spans) {
        if (spans === spansPerRequest) break; // a batch may cut a trace
        scoped[scope].push(span);
        spans++;
        stats.attributes += span.attributes.length;
        if (span.status.code === STATUS_ERROR) stats.errors++;
        const content = JSON.stringify(span.attributes);
        if (/@example\.(com|org|net)/.test(content)) stats.pii++;
        const op = span.attributes[0].value.stringValue;
        stats.byOperation[op] = (stats.byOperation[op] ?? 0) + 1;
      }
    }
    const message = {
      resourceSpans: [
        {
          resource: resourceFor(gen, service),
          schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
          scopeSpans: SCOPES.map((scope, i) => ({ scope, spans: scoped[i] })).filter(
            (s) => s.spans.length > 0,
          ),
        },
      ],
    };
    const bytes = Buffer.from(ExportTraceServiceRequest.encode(message).finish());
    requests.push({ bytes, spans, traceIdOffsets: findOffsets(bytes, traceIds) });
    stats.spans += spans;
    stats.bytes += bytes.length;
  }
  return {
    requests,
    stats: {
      requests: count,
      spansPerRequest,
      bytesPerSpan: Math.round(stats.bytes / stats.spans),
      bytesPerRequest: Math.round(stats.bytes / count),
      attributesPerSpan: Math.round((stats.attributes / stats.spans) * 10) / 10,
      errorSpanShare: Math.round((stats.errors / stats.spans) * 1000) / 1000,
      piiSpanShare: Math.round((stats.pii / stats.spans) * 1000) / 1000,
      spansByOperation: stats.byOperation,
    },
  };
}

function findOffsets(bytes, traceIds) {
  const offsets = [];
  for (const id of traceIds) {
    for (let at = bytes.indexOf(id); at !== -1; at = bytes.indexOf(id, at + id.length)) {
      offsets.push(at);
    }
  }
  return Int32Array.from(offsets);
}

/**
 * A copy of a pooled request whose trace ids are unique to `sequence`: the last 8 bytes of each
 * trace id are XORed with a bijective scramble of it, so rotating a small pool still sends
 * distinct traces. Costs one copy of the request (tens of µs).
 */
export function withFreshTraceIds(request, sequence) {
  const copy = Buffer.from(request.bytes);
  const a = Math.imul(sequence >>> 0, 0x9e3779b1) >>> 0;
  const b = Math.imul((sequence ^ 0x5bd1e995) >>> 0, 0x85ebca6b) >>> 0;
  for (const at of request.traceIdOffsets) {
    copy.writeUInt32BE((copy.readUInt32BE(at + 8) ^ a) >>> 0, at + 8);
    copy.writeUInt32BE((copy.readUInt32BE(at + 12) ^ b) >>> 0, at + 12);
  }
  return copy;
}

/**
 * Spans for inserts that must not be deduplicated: `take(rows)` decodes pooled requests with
 * fresh trace ids (each call continues the sequence) and returns `rows` spans.
 */
export function freshSpanSource(requests) {
  const decode = receiverDecoder();
  let sequence = 0;
  return (rows) => {
    const spans = [];
    while (spans.length < rows) {
      const request = requests[sequence % requests.length];
      spans.push(...decode(withFreshTraceIds(request, ++sequence)));
    }
    return spans.slice(0, rows);
  };
}

/** The request pool every scenario uses, sized by its `--pool` and `--batch` options. */
export function benchPool({ poolSize, spansPerRequest }) {
  return buildRequestPool({ count: poolSize, spansPerRequest, seed: 42 });
}

/** Decodes request bytes into model spans exactly as the OTLP receiver does. */
export function receiverDecoder() {
  const decoder = new TraceProtobufDecoder(otlpReceiverSchema.parse({}).limits);
  return (bytes) => decoder.decode(bytes).spans;
}

/** The pool as the pipeline receives it: one array of model spans per request. */
export function receivedSpans(requests) {
  const decode = receiverDecoder();
  return requests.map((r) => decode(r.bytes));
}
