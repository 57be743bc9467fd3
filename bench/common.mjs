// Helpers shared by the benchmark scenarios: machine description, options, results files.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import { URL } from 'node:url';

/** What the figures were measured on; goes into every results file. */
export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu,
    nproc: os.availableParallelism(),
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    // Other work on the machine skews every figure; a load average near 0 is what to compare.
    loadAverage1mAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/**
 * A numeric option from `--name=VALUE` / `--name VALUE` on the command line, else the
 * environment variable, else the default.
 */
export function option(name, envName, fallback) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}` && i + 1 < argv.length) return Number(argv[i + 1]);
    if (argv[i].startsWith(`--${name}=`)) return Number(argv[i].slice(name.length + 3));
  }
  const fromEnv = process.env[envName];
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : fallback;
}

/** A text option, like `option` but not converted to a number. */
export function textOption(name, envName, fallback) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}` && i + 1 < argv.length) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  const fromEnv = process.env[envName];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : fallback;
}

/** Clock ticks per second, the unit of /proc/<pid>/stat CPU times. */
export function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Busy CPU time of the whole machine, all cores, in clock ticks (from /proc/stat). */
export function machineBusyTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number); // skip idle, iowait
  return user + nice + system + irq + softirq + steal;
}

/** Writes `bench/results/<name>.json`. */
export function writeResults(name, results) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(results, null, 2) + '\n');
  return `bench/results/${name}.json`;
}

export const round = (value, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? value
    : Math.round(value * 10 ** digits) / 10 ** digits;
