// Evaluates the redact processor's detectors on the labelled corpus (eval/pii/corpus.jsonl):
// precision and recall per entity and overall, and hard negatives touched. Then runs every
// text through the processor's full string path (JSON parsing included) and checks that no
// labelled value is left and every hard negative is still there.
//
//   npm run eval:pii              # build, then print the table; exit 1 if a target is missed
//   node eval/pii/run.mjs --verbose   # also list misses, wrong findings and touched negatives
//   node eval/pii/run.mjs --json      # the scores as JSON

import console from 'node:console';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { createDefaultConfig } from '../../dist/processors/redact/config.js';
import { compileRedaction } from '../../dist/processors/redact/redaction.js';
import { RedactionTally } from '../../dist/processors/redact/tally.js';
import { TARGETS, formatTable, missedTargets, parseCorpus, score } from './score.mjs';

const records = parseCorpus(readFileSync(new URL('./corpus.jsonl', import.meta.url), 'utf8'));
// Key rules are about attribute names, not text: the corpus measures the detectors.
const redaction = compileRedaction({ ...createDefaultConfig(), blocked_keys: [], hash_keys: [] });
const result = score(records, (text, key) => redaction.scanner.scan(text, key));

// End to end through the processor's string path with its shipped defaults (key rules on,
// an HMAC key set): what would be stored.
const shipped = compileRedaction({
  ...createDefaultConfig(),
  hmac_key: 'eval-only-hmac-key-0123456789',
});
let leftInOutput = 0;
let negativesChanged = 0;
for (const record of records) {
  const out = shipped.strings.redact(record.text, record.key, new RedactionTally());
  for (const gold of record.entities)
    if (out.includes(record.text.slice(gold.start, gold.end))) leftInOutput++;
  for (const negative of record.negatives) {
    if (!out.includes(record.text.slice(negative.start, negative.end))) negativesChanged++;
  }
}

const problems = missedTargets(result);
if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify(
      { ...result, leftInOutput, negativesChanged, targets: TARGETS, problems },
      null,
      2,
    ),
  );
} else {
  console.log(
    `PII evaluation: ${records.length} texts, ${result.overall.labelled} labelled values, ${result.hardNegatives} hard negatives\n`,
  );
  console.log(formatTable(result));
  console.log(
    `through the processor's string path: ${leftInOutput} labelled values left, ${negativesChanged} hard negatives changed`,
  );
  if (process.argv.includes('--verbose')) {
    for (const [title, list] of [
      ['missed', result.missed],
      ['wrong', result.wrong],
      ['touched', result.touched],
    ]) {
      if (list.length)
        console.log(
          `\n${title}:\n${list.map((m) => `  ${m.id} ${m.entity ?? m.kind}: ${JSON.stringify(m.value)}`).join('\n')}`,
        );
    }
  }
  console.log(
    problems.length
      ? `\ntargets missed: ${problems.join('; ')}`
      : '\nall targets met (structured recall ≥ 0.99, phone ≥ 0.95, precision ≥ 0.98, no hard negative touched)',
  );
}
process.exit(problems.length || leftInOutput || negativesChanged ? 1 : 0);
