// Scores detector findings against the labelled corpus; shared by `npm run eval:pii` and the
// test that holds the detectors to their targets.

/** Entities whose detectors validate structure (checksums, parsing): held to recall ≥ 0.99. */
export const STRUCTURED = [
  'email',
  'credit_card',
  'us_ssn',
  'iban',
  'ip_address',
  'api_key',
  'jwt',
];

export const TARGETS = {
  structuredRecall: 0.99,
  phoneRecall: 0.95,
  overallPrecision: 0.98,
  hardNegativesTouched: 0,
};

const overlaps = (a, b) => a.start < b.end && b.start < a.end;

/** True when `findings` together cover every character of `span`. */
function covered(span, findings) {
  let position = span.start;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start <= position && f.end > position) position = f.end;
    if (position >= span.end) return true;
  }
  return position >= span.end;
}

/**
 * `scan(text, key)` returns findings `{start, end, entity}`. Per entity: a labelled value is
 * recalled when findings of its entity cover all of it; a finding is correct when it overlaps
 * a labelled value of its entity. A hard negative is touched when any finding overlaps it.
 */
export function score(records, scan) {
  const perEntity = new Map();
  const row = (entity) => {
    if (!perEntity.has(entity))
      perEntity.set(entity, { entity, labelled: 0, recalled: 0, found: 0, correct: 0 });
    return perEntity.get(entity);
  };
  const touched = [];
  const missed = [];
  const wrong = [];
  for (const record of records) {
    const findings = scan(record.text, record.key);
    for (const gold of record.entities) {
      const r = row(gold.entity);
      r.labelled++;
      if (
        covered(
          gold,
          findings.filter((f) => f.entity === gold.entity),
        )
      )
        r.recalled++;
      else
        missed.push({
          id: record.id,
          entity: gold.entity,
          value: record.text.slice(gold.start, gold.end),
        });
    }
    for (const finding of findings) {
      const r = row(finding.entity);
      r.found++;
      if (record.entities.some((g) => g.entity === finding.entity && overlaps(g, finding)))
        r.correct++;
      else
        wrong.push({
          id: record.id,
          entity: finding.entity,
          value: record.text.slice(finding.start, finding.end),
        });
    }
    for (const negative of record.negatives) {
      if (findings.some((f) => overlaps(f, negative))) {
        touched.push({
          id: record.id,
          kind: negative.kind,
          value: record.text.slice(negative.start, negative.end),
        });
      }
    }
  }
  const ratio = (a, b) => (b === 0 ? 1 : a / b);
  const rows = [...perEntity.values()]
    .sort((a, b) => a.entity.localeCompare(b.entity))
    .map((r) => ({
      ...r,
      precision: ratio(r.correct, r.found),
      recall: ratio(r.recalled, r.labelled),
    }));
  const sum = (field) => rows.reduce((n, r) => n + r[field], 0);
  const overall = {
    labelled: sum('labelled'),
    recalled: sum('recalled'),
    found: sum('found'),
    correct: sum('correct'),
    precision: ratio(sum('correct'), sum('found')),
    recall: ratio(sum('recalled'), sum('labelled')),
  };
  const hardNegatives = records.reduce((n, r) => n + r.negatives.length, 0);
  return { rows, overall, hardNegatives, touched, missed, wrong };
}

/** The targets each result misses, as sentences; empty when all are met. */
export function missedTargets(result) {
  const problems = [];
  for (const r of result.rows) {
    if (STRUCTURED.includes(r.entity) && r.recall < TARGETS.structuredRecall) {
      problems.push(`${r.entity} recall ${r.recall.toFixed(3)} < ${TARGETS.structuredRecall}`);
    }
    if (r.entity === 'phone' && r.recall < TARGETS.phoneRecall) {
      problems.push(`phone recall ${r.recall.toFixed(3)} < ${TARGETS.phoneRecall}`);
    }
  }
  if (result.overall.precision < TARGETS.overallPrecision) {
    problems.push(
      `overall precision ${result.overall.precision.toFixed(3)} < ${TARGETS.overallPrecision}`,
    );
  }
  if (result.touched.length > TARGETS.hardNegativesTouched) {
    problems.push(`${result.touched.length} hard negatives touched`);
  }
  return problems;
}

/** The table `npm run eval:pii` prints. */
export function formatTable(result) {
  const pad = (value, width) => String(value).padStart(width);
  const lines = [
    `${'entity'.padEnd(16)}${pad('labelled', 9)}${pad('found', 7)}${pad('precision', 11)}${pad('recall', 8)}`,
  ];
  for (const r of [...result.rows, { entity: 'overall', ...result.overall }]) {
    lines.push(
      `${r.entity.padEnd(16)}${pad(r.labelled, 9)}${pad(r.found, 7)}${pad(r.precision.toFixed(3), 11)}${pad(r.recall.toFixed(3), 8)}`,
    );
  }
  lines.push(`hard negatives touched: ${result.touched.length} of ${result.hardNegatives}`);
  return lines.join('\n');
}

/** Reads corpus.jsonl text into records. */
export function parseCorpus(text) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
