// Scenario "queue": the durable queue's write-ahead log alone, in one process, on the insert
// payloads the ingest load generator's requests turn into (Native blocks of realistic
// agent spans).
//   append    `concurrency` appenders for `seconds` per fsync policy (always, interval,
//             never): appends/s, MB/s, rows/s and append (= acknowledgement) latency
//   recovery  a log of `recovery-mib` MiB is written and closed, then opened again: the time
//             to scan and checksum every record (what a restart does before delivering), and
//             the time to read all payloads back in delivery-sized batches
// The log lives in the system temp directory; its disk is what is measured.
//
//   npm run bench:queue
//   node bench/queue.mjs --seconds 5 --recovery-mib 1024
//
// Options (flag or environment): --seconds BENCH_QUEUE_SECONDS (per policy), --concurrency
// BENCH_CONCURRENCY, --recovery-mib BENCH_RECOVERY_MIB (0 skips), --batch BENCH_BATCH (spans
// per request), --pool BENCH_POOL. Results: bench/results/queue.json.

import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { spanBlockEncoder } from '../dist/exporters/clickhouse/native/span-columns.js';
import { WriteAheadLog } from '../dist/exporters/helper/queue/wal.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  secondsPerPolicy: option('seconds', 'BENCH_QUEUE_SECONDS', 3),
  concurrency: option('concurrency', 'BENCH_CONCURRENCY', 16),
  recoveryMiB: option('recovery-mib', 'BENCH_RECOVERY_MIB', 1024),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const info = machine();
const { requests } = benchPool(params);
const encoder = spanBlockEncoder();
const payloads = receivedSpans(requests).map((spans) => ({
  rows: spans.length,
  bytes: encoder.encode(spans),
}));
const averageBytes = payloads.reduce((sum, p) => sum + p.bytes.length, 0) / payloads.length;

const directories = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-queue-'));
  directories.push(dir);
  return dir;
};
process.once('exit', () => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

const walOptions = (directory, fsync) => ({
  directory,
  fsync,
  fsyncIntervalMs: 1000,
  segmentBytes: 64 * 1024 ** 2,
  maxBytes: 64 * 1024 ** 3,
  memoryBytes: 64 * 1024 ** 2,
});

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function appendPhase(fsync) {
  const { wal } = await WriteAheadLog.open(walOptions(scratch(), fsync));
  const latencies = [];
  let appends = 0;
  let bytes = 0;
  let rows = 0;
  const deadline = performance.now() + params.secondsPerPolicy * 1000;
  const appender = async (offset) => {
    for (let i = offset; performance.now() < deadline; i += params.concurrency) {
      const payload = payloads[i % payloads.length];
      const started = performance.now();
      await wal.append(payload.bytes, payload.rows);
      latencies.push(performance.now() - started);
      appends++;
      bytes += payload.bytes.length;
      rows += payload.rows;
      // Delivery keeps the log short, as the sender would; it is not what is timed here.
      if (wal.bytes > 256 * 1024 ** 2) await wal.commit(wal.peek(Number.MAX_SAFE_INTEGER));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: params.concurrency }, (_, i) => appender(i)));
  const seconds = (performance.now() - started) / 1000;
  await wal.close();
  latencies.sort((a, b) => a - b);
  return {
    fsync,
    appendsPerSec: round(appends / seconds, 0),
    mbPerSec: round(bytes / 1e6 / seconds, 1),
    rowsPerSec: round(rows / seconds, 0),
    appendLatencyMs: {
      p50: round(quantile(latencies, 0.5), 3),
      p99: round(quantile(latencies, 0.99), 3),
    },
  };
}

async function recoveryPhase() {
  const directory = scratch();
  const { wal } = await WriteAheadLog.open(walOptions(directory, 'never'));
  const target = params.recoveryMiB * 1024 ** 2;
  for (let i = 0; wal.bytes < target; i++) {
    const payload = payloads[i % payloads.length];
    await wal.append(payload.bytes, payload.rows);
  }
  const written = wal.bytes;
  await wal.close();

  const openStarted = performance.now();
  const { wal: reopened, replay } = await WriteAheadLog.open(walOptions(directory, 'never'));
  const scanSeconds = (performance.now() - openStarted) / 1000;

  const readStarted = performance.now();
  let batches = 0;
  for (let batch = reopened.peek(10_000); batch.length > 0; batch = reopened.peek(10_000)) {
    await reopened.payloads(batch);
    await reopened.commit(batch);
    batches++;
  }
  const readSeconds = (performance.now() - readStarted) / 1000;
  await reopened.close();
  return {
    logMiB: round(written / 1024 ** 2, 0),
    records: replay.records,
    rows: replay.rows,
    scanSeconds: round(scanSeconds, 2),
    scanMBPerSec: round(written / 1e6 / scanSeconds, 0),
    readBackSeconds: round(readSeconds, 2),
    readBackBatches: batches,
  };
}

console.log(
  `queue: ${payloads.length} payloads of ${params.spansPerRequest} spans, ~${round(averageBytes / 1024, 1)} KiB each; ${params.concurrency} appenders`,
);
const append = [];
for (const fsync of ['never', 'interval', 'always']) {
  const result = await appendPhase(fsync);
  append.push(result);
  console.log(
    `  append fsync=${fsync.padEnd(8)} ${String(result.appendsPerSec).padStart(7)} appends/s  ${String(result.mbPerSec).padStart(6)} MB/s  ${String(result.rowsPerSec).padStart(9)} rows/s  p50 ${result.appendLatencyMs.p50} ms  p99 ${result.appendLatencyMs.p99} ms`,
  );
}
let recovery = null;
if (params.recoveryMiB > 0) {
  recovery = await recoveryPhase();
  console.log(
    `  recovery of a ${recovery.logMiB} MiB log (${recovery.rows} rows): scan ${recovery.scanSeconds} s (${recovery.scanMBPerSec} MB/s), read back ${recovery.readBackSeconds} s`,
  );
}
console.log(
  `wrote ${writeResults('queue', { machine: info, params, payloadBytes: round(averageBytes, 0), append, recovery })}`,
);
