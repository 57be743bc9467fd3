// Runs the benchmark scenarios one after another, each in a fresh Node process, so no JIT
// state, heap or open handle of one scenario colours the next.
//
//   npm run bench                   # all scenarios (about 14 min on 2 cores)
//   node bench/run.mjs decode       # only the named ones
//
// When `floor` and `ingest` both ran, the SPEC §9 summary of the two (and of `server`, when it
// ran too) is printed last.
//
// Options and environment variables are passed through to every scenario (see each file).

import { spawn } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { summarize } from './summary.mjs';

const SCENARIOS = [
  'decode',
  'convert',
  'assemble',
  'emit',
  'classify',
  'alert',
  'redact',
  'scrape',
  'queue',
  'floor',
  'schema',
  'merge',
  'ingest',
  'server',
  'threads',
  'handoff',
  'resend',
];

// Scenario names first, then options for the scenarios: `run.mjs ingest --duration 5`.
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const named = firstOption === -1 ? args : args.slice(0, firstOption);
const passThrough = firstOption === -1 ? [] : args.slice(firstOption);
const unknown = named.filter((n) => !SCENARIOS.includes(n));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}

let current;
let interrupted = false;
// Ctrl-C reaches the scenario too (same process group); it cleans up and exits, and we stop.
process.on('SIGINT', () => (interrupted = true));
process.on('SIGTERM', () => {
  interrupted = true;
  current?.kill('SIGTERM');
});

let failed = 0;
const ran = new Set();
for (const name of named.length ? named : SCENARIOS) {
  if (interrupted) break;
  const file = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  const started = Date.now();
  const code = await new Promise((resolve) => {
    current = spawn(process.execPath, [file, ...passThrough], { stdio: 'inherit' });
    current.once('exit', (exitCode, signal) => resolve(exitCode ?? signal));
  });
  current = undefined;
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (code !== 0) {
    failed++;
    console.error(`\nbench ${name}: exited with ${code} after ${seconds} s`);
  } else {
    ran.add(name);
    console.log(`(bench ${name}: ${seconds} s)`);
  }
}
if (ran.has('floor') && ran.has('ingest')) summarize({ server: ran.has('server') });
process.exit(interrupted ? 130 : failed ? 1 : 0);
