#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { benchCommand } from './bench.js';
import { EXIT_USAGE, reportAndExit, UsageError } from './errors.js';
import { demoCommand } from './demo/demo.js';
import { queryCommand } from './query.js';
import { reportCommand } from './report.js';
import { replayCommand } from './replay/replay.js';
import { serve } from './serve.js';
import { validateConfigCommand } from './validate-config.js';

const USAGE = `Usage: faultline <command> [options]

Commands:
  serve [--config FILE]                 run the daemon (default config: config/faultline.yaml)
  query "SQL" [--format F] [--config FILE] [--url URL]
                                        run read-only SQL over stored data
                                        (F: PrettyCompact, JSONEachRow, JSON, CSV, TSV, …)
  report [--since 7d] [--format md|html|json] [--out FILE] [--config FILE] [--url URL]
                                        performance, usage, health, trends and storage of the
                                        stored data, with recommendations
  replay FILE… [--endpoint URL] [--retries N] [--header "Name: value"]
                                        re-send saved OTLP trace requests (OTLP/JSON, JSONL of
                                        them, or protobuf; gzip too) to a daemon's OTLP/HTTP port
                                        (default http://localhost:4318)
  validate-config FILE                  check a config file; prints every problem with its path
  demo [--config FILE]                  send sample failing agent runs and show the captured failures
  bench [SCENARIO…] [--OPTION VALUE…]   run benchmarks from a source checkout (default: the floor,
                                        the whole daemon at max, half max and 10,000 spans/s,
                                        and on the server engine: SPEC §9); results in
                                        bench/results/ (see bench/README.md)
  help                                  show this text
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // The benchmarks take their own options (bench/README.md); they are passed through as given.
  if (command === 'bench') return benchCommand(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      format: { type: 'string', short: 'f' },
      url: { type: 'string' },
      since: { type: 'string' },
      out: { type: 'string', short: 'o' },
      endpoint: { type: 'string' },
      retries: { type: 'string' },
      header: { type: 'string', multiple: true },
    },
  });
  switch (command) {
    case 'serve':
      return serve({ config: values.config });
    case 'query': {
      const sql = positionals[0];
      if (!sql)
        throw new UsageError(
          'query needs the SQL as its argument, e.g. faultline query "SELECT count() FROM faultline.otel_traces"',
        );
      return queryCommand(sql, values);
    }
    case 'report':
      return reportCommand(values);
    case 'validate-config': {
      const file = positionals[0] ?? values.config;
      if (!file)
        throw new UsageError(
          'validate-config needs a file, e.g. faultline validate-config config/faultline.yaml',
        );
      return validateConfigCommand(file);
    }
    case 'replay':
      return replayCommand(positionals, values);
    case 'demo':
      return demoCommand({ config: values.config });
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`faultline: unknown command "${command}"\n\n${USAGE}`);
      process.exit(EXIT_USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // parseArgs reports unknown options as TypeErrors with a code; they are usage errors.
  if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    const reason = (error as Error).message.split('. ', 1)[0];
    reportAndExit(new UsageError(`${reason}; run "faultline help" for usage`));
  }
  reportAndExit(error);
});
