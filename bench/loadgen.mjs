// Load generator: sends pre-encoded agent traces to a daemon over OTLP/gRPC and OTLP/HTTP
// (protobuf), half the connections each, and reports per-request ack latency and counts.
//
// Run by bench/ingest.mjs in its own process (fork, so results go back over IPC); it can also
// run alone and then prints its result as JSON:
//   node bench/loadgen.mjs --grpc 127.0.0.1:4317 --http 127.0.0.1:4318 --duration 10
//
// Modes: closed loop (default): `concurrency` connections, each with one request in flight,
// sending again as soon as the previous one is acknowledged. With --rate N: open loop, one
// request every batch/N seconds, alternating transports; latency is measured from the
// scheduled send time, so a stalled daemon cannot hide its delay (no coordinated omission).
// With --resend: every request is sent as pooled, without fresh trace ids, so the same spans
// arrive again and again, concurrently, as from exporters that retry after a timeout or a 429.
// With --compression gzip: every request is gzipped (level 1) as it is sent, as the
// OpenTelemetry Collector's OTLP exporters do by default.

import { Buffer } from 'node:buffer';
import console from 'node:console';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout, clearTimeout } from 'node:timers';
import { parseArgs } from 'node:util';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import grpc from '@grpc/grpc-js';
import { TRACE_SERVICE_PATH } from '../dist/receivers/otlp/proto.js';
import { buildRequestPool, withFreshTraceIds } from './payloads.mjs';

const REQUEST_TIMEOUT_MS = 30_000;

const { values: args } = parseArgs({
  options: {
    grpc: { type: 'string' },
    http: { type: 'string' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    batch: { type: 'string', default: '200' },
    pool: { type: 'string', default: '50' },
    rate: { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
    resend: { type: 'boolean', default: false },
    compression: { type: 'string', default: 'none' },
  },
});

const params = {
  durationSec: Number(args.duration),
  warmupSec: Number(args.warmup),
  concurrency: Number(args.concurrency),
  spansPerRequest: Number(args.batch),
  poolSize: Number(args.pool),
  targetSpansPerSec: Number(args.rate),
  seed: Number(args.seed),
  resend: args.resend,
  compression: args.compression,
};
if (!['none', 'gzip'].includes(params.compression)) {
  throw new Error(`--compression takes none or gzip, not "${params.compression}"`);
}
const gzip = params.compression === 'gzip';
if (!args.grpc && !args.http) throw new Error('give --grpc HOST:PORT and/or --http HOST:PORT');

const report = (message) => (process.send ? process.send(message) : undefined);
// The parent owns this process: if it goes away, so do we.
process.on('disconnect', () => process.exit(1));

const { requests: pool, stats: payload } = buildRequestPool({
  count: params.poolSize,
  spansPerRequest: params.spansPerRequest,
  seed: params.seed,
});

// ---- transports: each `send(body)` resolves to { ok, error? } once the daemon answers ----

const passThrough = (buffer) => buffer;

function grpcConnection(target) {
  // A local subchannel pool gives every client its own HTTP/2 connection, like separate agents.
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // 2 is gzip in grpc-js's compression algorithms.
    ...(gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
  });
  return {
    send(body) {
      return new Promise((resolve) => {
        client.makeUnaryRequest(
          TRACE_SERVICE_PATH,
          passThrough,
          passThrough,
          body,
          new grpc.Metadata(),
          { deadline: Date.now() + REQUEST_TIMEOUT_MS },
          (error) =>
            resolve(
              error ? { ok: false, error: `grpc ${error.code}: ${error.details}` } : { ok: true },
            ),
        );
      });
    },
    close: () => client.close(),
  };
}

function httpConnections(target, sockets) {
  const [host, port] = splitTarget(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    send(plain) {
      const body = gzip ? gzipSync(plain, { level: zlibConstants.Z_BEST_SPEED }) : plain;
      return new Promise((resolve) => {
        const request = http.request(
          {
            host,
            port,
            method: 'POST',
            path: '/v1/traces',
            agent,
            timeout: REQUEST_TIMEOUT_MS,
            headers: {
              'Content-Type': 'application/x-protobuf',
              'Content-Length': body.length,
              ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
            },
          },
          (response) => {
            const chunks = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('end', () =>
              resolve(
                response.statusCode === 200
                  ? { ok: true }
                  : {
                      ok: false,
                      error: `http ${response.statusCode}: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`,
                    },
              ),
            );
            response.on('error', (error) => resolve({ ok: false, error: `http ${error.message}` }));
          },
        );
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', (error) => resolve({ ok: false, error: `http ${error.message}` }));
        request.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

function splitTarget(target) {
  const at = target.lastIndexOf(':');
  return [target.slice(0, at), Number(target.slice(at + 1))];
}

// ---- statistics ----

class Recorder {
  constructor() {
    this.latencies = [];
    this.requests = 0;
    this.spans = 0;
    this.refusedRequests = 0;
    this.refusedSpans = 0;
  }

  record(result, spans, latencyMs) {
    if (result.ok) {
      this.requests++;
      this.spans += spans;
      this.latencies.push(latencyMs);
    } else {
      this.refusedRequests++;
      this.refusedSpans += spans;
    }
  }

  summary() {
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null;
    const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
    const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
    return {
      ackedRequests: this.requests,
      ackedSpans: this.spans,
      refusedRequests: this.refusedRequests,
      refusedSpans: this.refusedSpans,
      latencyMs: {
        p50: round(at(0.5)),
        p90: round(at(0.9)),
        p99: round(at(0.99)),
        max: round(at(1)),
        mean: round(mean),
      },
    };
  }
}

// ---- the run ----

const transports = [];
const grpcShare = args.http ? Math.ceil(params.concurrency / 2) : params.concurrency;
const httpShare = args.grpc ? params.concurrency - grpcShare : params.concurrency;
if (args.grpc && grpcShare > 0) {
  const connections = Array.from({ length: grpcShare }, () => grpcConnection(args.grpc));
  transports.push({ name: 'grpc', connections });
}
// Open loop: at most `concurrency` requests in flight, as many as the closed loop holds, so an
// overloaded daemon holds back the sender (and the delay shows in the latency) instead of
// piling up requests without bound.
const MAX_IN_FLIGHT = params.concurrency;
if (args.http && httpShare > 0) {
  // Open loop: enough sockets that requests never queue inside the client.
  const sockets = params.targetSpansPerSec > 0 ? MAX_IN_FLIGHT : httpShare;
  const shared = httpConnections(args.http, sockets);
  transports.push({ name: 'http', connections: Array.from({ length: httpShare }, () => shared) });
}

const recorders = { warmup: {}, measured: {} };
for (const t of transports) {
  recorders.warmup[t.name] = new Recorder();
  recorders.measured[t.name] = new Recorder();
}
const errors = new Map();
let sequence = 0;
let measuring = false;
let lateSends = 0;
let skippedSends = 0;

async function sendOne(transport, connection, scheduledAt) {
  const request = pool[sequence % pool.length];
  const body = params.resend ? request.bytes : withFreshTraceIds(request, sequence);
  sequence++;
  const result = await connection.send(body);
  const latency = performance.now() - scheduledAt;
  // Requests count in the phase during which their acknowledgement arrives.
  const recorder = (measuring ? recorders.measured : recorders.warmup)[transport.name];
  recorder.record(result, request.spans, latency);
  if (!result.ok) errors.set(result.error, (errors.get(result.error) ?? 0) + 1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function closedLoop(until) {
  const loops = [];
  for (const transport of transports) {
    for (const connection of transport.connections) {
      loops.push(
        (async () => {
          while (performance.now() < until) await sendOne(transport, connection, performance.now());
        })(),
      );
    }
  }
  await Promise.all(loops);
}

async function openLoop(until, start) {
  const intervalMs = (params.spansPerRequest / params.targetSpansPerSec) * 1000;
  const inFlight = new Set();
  const next = transports.map(() => 0);
  for (let i = 0; ; i++) {
    const scheduledAt = start + i * intervalMs;
    if (scheduledAt >= until) break;
    await sleep(scheduledAt - performance.now());
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    if (performance.now() >= until) {
      // Fell behind: the rest of the schedule is not sent, so the phase still ends on time.
      skippedSends = Math.ceil((until - scheduledAt) / intervalMs);
      break;
    }
    if (performance.now() - scheduledAt > 5) lateSends++;
    const t = i % transports.length;
    const transport = transports[t];
    const connection = transport.connections[next[t]++ % transport.connections.length];
    const promise = sendOne(transport, connection, scheduledAt).finally(() =>
      inFlight.delete(promise),
    );
    inFlight.add(promise);
  }
  await Promise.all(inFlight);
}

let cpuAtMeasure = process.cpuUsage();
const started = performance.now();
const measureFrom = started + params.warmupSec * 1000;
const until = measureFrom + params.durationSec * 1000;
const phaseTimer = setTimeout(() => {
  measuring = true;
  cpuAtMeasure = process.cpuUsage();
  report({ type: 'measure' });
}, params.warmupSec * 1000);

if (params.targetSpansPerSec > 0) await openLoop(until, started);
else await closedLoop(until);
clearTimeout(phaseTimer);
const finished = performance.now();
const cpu = process.cpuUsage(cpuAtMeasure); // the measured part only

for (const transport of transports) for (const c of new Set(transport.connections)) c.close();

const summarize = (byTransport) => {
  const out = {};
  for (const [name, recorder] of Object.entries(byTransport)) out[name] = recorder.summary();
  return out;
};
const all = (phase) => {
  const merged = new Recorder();
  for (const r of Object.values(recorders[phase])) {
    merged.latencies.push(...r.latencies);
    merged.requests += r.requests;
    merged.spans += r.spans;
    merged.refusedRequests += r.refusedRequests;
    merged.refusedSpans += r.refusedSpans;
  }
  return merged.summary();
};

const result = {
  type: 'result',
  params,
  payload,
  measuredSec: Math.round(finished - measureFrom) / 1000,
  measured: { total: all('measured'), ...summarize(recorders.measured) },
  warmup: all('warmup'),
  lateSends,
  skippedSends,
  loadgenCpuSec: Math.round((cpu.user + cpu.system) / 1000) / 1000,
  errors: [...errors].slice(0, 5).map(([message, count]) => ({ message, count })),
};
if (process.send) process.send(result, () => process.exit(0));
else {
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
