import { describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon.js';
import { prettyLine } from '../../src/telemetry/pretty-log.js';

describe('human-readable log lines', () => {
  const line = JSON.stringify({
    level: 40,
    time: '2026-12-04T16:50:01.250Z',
    pid: 7,
    service: 'faultline',
    component: 'otlp',
    msg: 'request refused',
    reason: 'too large',
    port: 4318,
  });

  it('puts time, level, component and message first, then the fields', () => {
    expect(prettyLine(line, false)).toBe(
      '16:50:01.250 WARN  [otlp] request refused reason="too large" port=4318\n',
    );
  });

  it('colours the level on a terminal', () => {
    expect(prettyLine(line, true)).toContain('\u001b[33mWARN \u001b[0m');
  });

  it('passes a line that is not JSON through', () => {
    expect(prettyLine('plain', false)).toBe('plain\n');
  });

  it('are what a daemon configured with format: pretty writes, with where things are', async () => {
    // The helper's config ends inside service.telemetry.logs, so this line joins that section.
    const daemon = await startDaemon({ extraYaml: '      format: pretty\n' });
    try {
      const logs = daemon.logs();
      expect(logs).not.toMatch(/^\{/m);
      expect(logs).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}Faultline is ready ui=http:\/\/127\.0\.0\.1:\d+\/ /m,
      );
      expect(logs).toContain(`data=${daemon.dataDir}`);
      expect(logs).toMatch(/INFO {2}\[otlp\] OTLP\/HTTP listening port=\d+/);
    } finally {
      await daemon.cleanup();
    }
  });
});
