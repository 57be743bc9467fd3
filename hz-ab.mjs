import protobuf from 'protobufjs';
import { join } from 'node:path';
import { buildRequestPool } from './bench/payloads.mjs';
import { ExportTraceServiceRequest as Wrapped } from './dist/receivers/otlp/proto.js';
import { decodeProtobufRequest, decodeBounds } from './dist/receivers/otlp/decode.js';
import { otlpReceiverSchema } from './dist/receivers/otlp/config.js';
const root = new protobuf.Root();
root.resolvePath = (_o, t) => (t.startsWith('/') ? t : join('proto', t));
root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto']); root.resolveAll();
const Plain = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const { requests } = buildRequestPool({ count: 20, spansPerRequest: 200 });
const bounds = decodeBounds(otlpReceiverSchema.parse({}).limits);
const variants = { plain: (b) => Plain.decode(b), wrappedNoBounds: (b) => Wrapped.decode(b), bounded: (b) => decodeProtobufRequest(b, bounds) };
const totals = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
for (let round = 0; round < 22; round++) for (const [name, fn] of Object.entries(variants)) {
  const t = process.cpuUsage(); for (let i = 0; i < 3; i++) for (const r of requests) fn(r.bytes);
  const c = process.cpuUsage(t); if (round >= 2) totals[name] += c.user + c.system;
}
const spans = 20 * 3 * 20 * 200;
for (const [k, v] of Object.entries(totals)) console.log(k, (v / spans).toFixed(2), 'CPU µs/span');
