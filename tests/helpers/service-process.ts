import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A server binary the tests run for real (Prometheus, Alertmanager), with its own temp dir. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  /** Stops it with `signal`, waits for the exit, removes its directory. */
  stop: () => Promise<void>;
}

export function spawnService(
  command: string,
  args: string[],
  dir: string,
  signal: NodeJS.Signals,
): ServiceProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
