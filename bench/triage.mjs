// Scenario "triage": the review queue (GET /api/v1/failures' query) over a million stored
// failures in the embedded engine. The failures are generated inside ClickHouse with
// INSERT … SELECT FROM numbers(N) (each a capture, Version 0): 2,000 signatures over 12 services, 7 days, one in five a
// symptom; 50 signatures have a review status. Each filter set is run --runs times.
//
//   npm run bench:triage
//   node bench/triage.mjs --failures 200000 --runs 20
//
// Options (flag or environment): --failures BENCH_TRIAGE_FAILURES, --runs BENCH_TRIAGE_RUNS.
// Results: bench/results/triage.json.

import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { EmbeddedStore } from '../dist/storage/embedded.js';
import { migrate } from '../dist/storage/schema/migrate.js';
import { queueQuerySchema } from '../dist/triage/params.js';
import { listGroups } from '../dist/triage/queue.js';
import { machine, option, round, writeResults } from './common.mjs';

const FAILURES = option('failures', 'BENCH_TRIAGE_FAILURES', 1_000_000);
const RUNS = option('runs', 'BENCH_TRIAGE_RUNS', 30);
const DAY_MS = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-triage-'));
const store = new EmbeddedStore(dir, 'faultline', Math.floor(totalmem() * 0.3));
try {
  await store.open();
  await migrate(store, { database: 'faultline', ttlSeconds: 0 }, pino({ level: 'warn' }));
  const now = Date.now();
  const loadStart = performance.now();
  await store.command(`INSERT INTO faultline.failures
SELECT
    lower(hex(sipHash128(number))) AS FailureId,
    fromUnixTimestamp64Milli(toInt64(${now} - (number * 7919) % ${7 * DAY_MS})) AS Timestamp,
    lower(hex(sipHash128(intDiv(number, 4)))) AS TraceId,
    lower(hex(sipHash64(number))) AS SpanId,
    concat('service-', toString(number % 12)) AS ServiceName,
    concat('agent-', toString(number % 5)) AS AgentName,
    ['llm_call', 'tool_call', 'agent', 'retrieval'][1 + (number % 2000) % 4] AS StepType,
    concat('step-', toString(number % 2000)) AS SpanName,
    concat('op-', toString(number % 2000)) AS Operation,
    ['tool_error', 'rate_limited', 'timeout', 'validation_error', 'error_status'][1 + (number % 2000) % 5] AS Class,
    ['critical', 'high', 'medium', 'low'][1 + (number % 2000) % 4] AS Severity,
    'builtin.x' AS Rule,
    lower(hex(sipHash64(number % 2000))) AS Signature,
    concat('failure number ', toString(number % 2000), ' of the generated load') AS Message,
    'new' AS Status,
    0 AS Version,
    '' AS CausedBy,
    '' AS CauseSignature
FROM numbers(${FAILURES})`);
  // One in five captures revised into a symptom of the next one's signature.
  await store.command(`INSERT INTO faultline.failures
SELECT * REPLACE (1 AS Version, lower(hex(sipHash128(FailureId))) AS CausedBy,
    Signature AS CauseSignature)
FROM faultline.failures WHERE cityHash64(FailureId) % 5 = 0`);
  await store.command(`INSERT INTO faultline.signature_status
SELECT lower(hex(sipHash64(number))), ['triaged', 'ignored', 'exported'][1 + number % 3],
    fromUnixTimestamp64Milli(toInt64(${now - 2 * DAY_MS})), now64(3), 1
FROM numbers(50)`);
  const loadMs = performance.now() - loadStart;
  console.log(`stored ${FAILURES} failures in ${round(loadMs / 1000, 1)} s`);

  const cases = {
    'default (last_seen, 50)': {},
    'since 24h, class': { since: '24h', class: 'tool_error' },
    'service + severity, sort=count': {
      service: 'service-3',
      severity: 'high',
      sort: 'count',
    },
    'q text, include_symptoms': { q: 'number 17', include_symptoms: 'true' },
    'status=ignored': { status: 'ignored' },
  };
  const results = {};
  for (const [name, params] of Object.entries(cases)) {
    const query = queueQuerySchema.parse(params);
    await listGroups(store, query); // warm-up
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await listGroups(store, query);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const pick = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    results[name] = { p50_ms: round(pick(0.5), 1), p99_ms: round(pick(0.99), 1) };
    console.log(`${name}: p50 ${results[name].p50_ms} ms, p99 ${results[name].p99_ms} ms`);
  }
  const file = writeResults('triage', {
    machine: machine(),
    failures: FAILURES,
    runs: RUNS,
    load_seconds: round(loadMs / 1000, 1),
    queue: results,
  });
  console.log(`results: ${file}`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
