import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../../src/processors/redact/config.js';
import { compileRedaction } from '../../../src/processors/redact/redaction.js';
import { RedactionTally } from '../../../src/processors/redact/tally.js';

/**
 * The detectors' quality bar on the labelled corpus (eval/pii): the same scoring as
 * `npm run eval:pii`, run here on the sources. Recall ≥ 0.99 on the validated structured
 * entities, ≥ 0.95 on phone numbers, precision ≥ 0.98 overall, no hard negative touched.
 */

interface Span {
  start: number;
  end: number;
}
interface CorpusRecord {
  id: string;
  key: string;
  text: string;
  entities: (Span & { entity: string })[];
  negatives: (Span & { kind: string })[];
}
interface ScoreResult {
  rows: { entity: string; labelled: number; precision: number; recall: number }[];
  overall: { precision: number; recall: number };
  touched: unknown[];
}
interface ScoreModule {
  parseCorpus(text: string): CorpusRecord[];
  score(
    records: CorpusRecord[],
    scan: (text: string, key: string) => readonly (Span & { entity: string })[],
  ): ScoreResult;
  missedTargets(result: ScoreResult): string[];
  formatTable(result: ScoreResult): string;
}

const EVAL = new URL('../../../eval/pii/', import.meta.url);
let scoring: ScoreModule;
let records: CorpusRecord[];
const redaction = compileRedaction({ ...createDefaultConfig(), blocked_keys: [], hash_keys: [] });

beforeAll(async () => {
  // A plain-JavaScript module shared with eval/pii/run.mjs; its shape is declared above.
  scoring = (await import(new URL('score.mjs', EVAL).href)) as ScoreModule;
  records = scoring.parseCorpus(readFileSync(new URL('corpus.jsonl', EVAL), 'utf8'));
});

describe('the PII evaluation corpus', () => {
  it('is what its seeded generator produces', () => {
    expect(() =>
      execFileSync(process.execPath, [fileURLToPath(new URL('generate.mjs', EVAL)), '--check'], {
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  it('covers every built-in entity', () => {
    const labelled = new Set(records.flatMap((r) => r.entities.map((e) => e.entity)));
    expect([...labelled].sort()).toEqual([...redaction.entities].sort());
  });
});

describe('the detectors on the corpus', () => {
  it('meet the recall, precision and hard-negative targets', () => {
    const result = scoring.score(records, (text, key) => redaction.scanner.scan(text, key));
    expect(scoring.missedTargets(result), scoring.formatTable(result)).toEqual([]);
  });

  it('leave no labelled value and change no hard negative through the full string path', () => {
    const { strings } = compileRedaction({
      ...createDefaultConfig(),
      hmac_key: 'a-test-key-of-32-characters-long',
    });
    const left: string[] = [];
    const changed: string[] = [];
    for (const record of records) {
      const out = strings.redact(record.text, record.key, new RedactionTally());
      for (const e of record.entities)
        if (out.includes(record.text.slice(e.start, e.end))) left.push(record.id);
      for (const n of record.negatives)
        if (!out.includes(record.text.slice(n.start, n.end))) changed.push(record.id);
    }
    expect(left).toEqual([]);
    expect(changed).toEqual([]);
  });
});
