// Scenario "server": the ingest scenario's fixed-rate phase (10,000 spans/s by default) with the
// daemon on its server engine, for SPEC §9's memory target without the engine in the daemon's
// process (≤ 150 MiB). The engine is chDB in a process of its own behind ClickHouse's HTTP
// interface (clickhouse-http.mjs); its CPU and memory are reported apart.
//
//   npm run bench:server
//   node bench/server.mjs --rate 20000
//
// Takes ingest's options; its own come first, so the max-throughput and half-max phases are
// always skipped. Results: bench/results/ingest-server.json.

import { spawn } from 'node:child_process';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const ingest = fileURLToPath(new URL('./ingest.mjs', import.meta.url));
const child = spawn(
  process.execPath,
  [ingest, '--engine', 'server', '--duration', '0', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.on('SIGINT', () => {}); // the scenario gets it too (same process group) and cleans up
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
