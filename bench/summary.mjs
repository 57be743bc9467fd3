// The figures SPEC §9 judges, from the results of `ingest` and `floor` of the same run (and of
// `server`, when it ran too): printed as one table and written to bench/results/summary.json.
// Run by bench/run.mjs after those scenarios ran.

import console from 'node:console';
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { round, writeResults } from './common.mjs';

const read = (name) =>
  JSON.parse(readFileSync(new URL(`./results/${name}.json`, import.meta.url), 'utf8'));

/**
 * Prints and writes the summary from the results files; with `server`, the server engine's
 * figures at the fixed rate too.
 */
export function summarize({ server = false } = {}) {
  const ingest = read('ingest');
  const floor = read('floor');
  const serverRun = server ? read('ingest-server') : undefined;
  const onServer = serverRun?.phases.rate;
  const max = ingest.phases.max;
  const { half, rate } = ingest.phases;
  const cpuUsPerSpan = max ? (max.daemonCpuSecPer100kSpans / 100_000) * 1e6 : undefined;
  const summary = {
    date: ingest.date,
    loadAverage1mAtStart: ingest.loadAverage1mAtStart,
    ackedSpansPerSec: max?.spansPerSec,
    storedSpansPerSec: max?.storedSpansPerSec,
    cpuUsPerSpan: round(cpuUsPerSpan, 1),
    spansPerCpuSecond: cpuUsPerSpan ? round(1e6 / cpuUsPerSpan, 0) : undefined,
    ackMsAtMax: max && { p50: max.ackLatencyMs.p50, p99: max.ackLatencyMs.p99 },
    halfRateSpansPerSec: ingest.parameters.halfRateSpansPerSec,
    ackMsAtHalfMax: half && { p50: half.ackLatencyMs.p50, p99: half.ackLatencyMs.p99 },
    // What held the event loop: a floor under the ack p99 there, and steadier than it.
    eventLoopDelayMsAtHalfMax: half?.eventLoopDelayMs ?? undefined,
    rateSpansPerSec: ingest.parameters.rateSpansPerSec,
    ackMsAtRate: rate && { p50: rate.ackLatencyMs.p50, p99: rate.ackLatencyMs.p99 },
    // The busier it is, the longer requests wait for one another: what sets the ack tail.
    mainThreadBusyPercent: {
      max: max?.mainThreadBusyPercent,
      half: half?.mainThreadBusyPercent,
      rate: rate?.mainThreadBusyPercent,
    },
    peakRssMiB: { max: max?.peakRssMiB, rate: rate?.peakRssMiB },
    floorPeakRssMiB: floor.peakRssMiB,
    drainMs: max?.visibleAfterLoadMs,
    lostSpans: [max, half, rate].reduce((lost, phase) => lost + (phase?.lostSpans ?? 0), 0),
    floorCpuUsPerSpan: floor.floorCpuUsPerSpan,
    ratioToFloor: cpuUsPerSpan ? round(cpuUsPerSpan / floor.floorCpuUsPerSpan, 2) : undefined,
    cpuUsPerStoredSpanAllIn: max?.daemonCpuUsPerStoredSpanAllIn,
    serverEngineAtRate: onServer && {
      spansPerSec: serverRun.parameters.rateSpansPerSec,
      daemonPeakRssMiB: onServer.peakRssMiB,
      daemonCpuUsPerStoredSpanAllIn: onServer.daemonCpuUsPerStoredSpanAllIn,
      engineProcessPeakRssMiB: onServer.engineProcess?.peakRssMiB,
      ackMs: { p50: onServer.ackLatencyMs.p50, p99: onServer.ackLatencyMs.p99 },
      lostSpans: onServer.lostSpans,
    },
  };
  const file = writeResults('summary', summary);
  const ms = (latency) => (latency ? `p50 ${latency.p50} ms, p99 ${latency.p99} ms` : 'not run');
  const busy = (percent) => (percent === undefined ? '' : `; main thread busy ${percent}%`);
  const late = (delay) =>
    delay ? `; the event loop late by p99 ${delay.p99} ms, at most ${delay.max} ms` : '';
  console.log(`\n== summary (SPEC §9) — load average at start ${summary.loadAverage1mAtStart}`);
  console.log(
    `  acked ${summary.ackedSpansPerSec} spans/s, stored ${summary.storedSpansPerSec} spans/s`,
  );
  console.log(
    `  daemon CPU ${summary.cpuUsPerSpan} µs per span (${summary.spansPerCpuSecond} spans per CPU-second); floor ${summary.floorCpuUsPerSpan} µs; ratio ${summary.ratioToFloor}×`,
  );
  console.log(
    `  daemon CPU from the first request until all was visible (the engine's lagging inserts included): ${summary.cpuUsPerStoredSpanAllIn} µs per stored span`,
  );
  const threads = summary.mainThreadBusyPercent;
  console.log(`  ack at max: ${ms(summary.ackMsAtMax)}${busy(threads.max)}`);
  console.log(
    `  ack at half the max (${summary.halfRateSpansPerSec} spans/s): ${ms(summary.ackMsAtHalfMax)}${busy(threads.half)}${late(summary.eventLoopDelayMsAtHalfMax)}`,
  );
  console.log(
    `  ack at ${summary.rateSpansPerSec} spans/s: ${ms(summary.ackMsAtRate)}${busy(threads.rate)}`,
  );
  console.log(
    `  peak RSS ${summary.peakRssMiB.max} MiB (max), ${summary.peakRssMiB.rate} MiB (rate); the floor's process ${summary.floorPeakRssMiB ?? '-'} MiB; drained ${summary.drainMs} ms after the last ack; lost ${summary.lostSpans}`,
  );
  const onServerEngine = summary.serverEngineAtRate;
  if (onServerEngine) {
    console.log(
      `  server engine at ${onServerEngine.spansPerSec} spans/s: daemon peak RSS ${onServerEngine.daemonPeakRssMiB} MiB (the engine's own process ${onServerEngine.engineProcessPeakRssMiB} MiB); daemon CPU ${onServerEngine.daemonCpuUsPerStoredSpanAllIn} µs per stored span all-in; ${ms(onServerEngine.ackMs)}; lost ${onServerEngine.lostSpans}`,
    );
  }
  console.log(`\nwrote ${file}`);
  return summary;
}
