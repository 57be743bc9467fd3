import type { Attributes } from '../../../../model/attributes.js';
import type { Span } from '../../../../model/span.js';
import type { Evaluation } from '../../../../model/step.js';
import { langfuseScores } from '../conventions/langfuse.js';
import { IndexedKey, toNumber } from '../values.js';

/**
 * Evaluations and annotations a span carries, for the quality classes (hallucination,
 * low_quality): results with a label or a score. A score that was not sent is NaN; a name
 * that was not sent is the family's.
 */

/** The keys of one result: its name, label and score. */
interface ResultKeys {
  /** The name given when the span names none. */
  family: string;
  name: string;
  label: string;
  score: string;
}

const resultKeys = (family: string, prefix: string): ResultKeys => ({
  family,
  name: `${prefix}name`,
  label: `${prefix}label`,
  score: `${prefix}score`,
});

const GEN_AI: ResultKeys = {
  family: 'gen_ai.evaluation',
  name: 'gen_ai.evaluation.name',
  label: 'gen_ai.evaluation.score.label',
  score: 'gen_ai.evaluation.score.value',
};

/** Single results set directly on the span: OpenInference's two families, and GenAI's. */
const SINGLE: readonly ResultKeys[] = [
  resultKeys('evaluation', 'evaluation.'),
  resultKeys('annotation', 'annotation.'),
  GEN_AI,
];

/** GenAI sends results as events of the evaluated span too. */
const GEN_AI_EVENT = 'gen_ai.evaluation.result';

/** Plain numeric attributes some frameworks set. */
const PLAIN_SCORES = ['quality_score', 'confidence'];

function result(
  attributes: Attributes,
  family: string,
  nameKey: string,
  labelKey: string,
  scoreKey: string,
): Evaluation | undefined {
  const label = attributes[labelKey];
  const score = attributes[scoreKey];
  // A name alone judges nothing; looking for a result first also saves a lookup per family.
  if (label === undefined && score === undefined) return undefined;
  const name = attributes[nameKey];
  return {
    name: typeof name === 'string' && name !== '' ? name : family,
    label: typeof label === 'string' ? label : '',
    score: toNumber(score) ?? Number.NaN,
  };
}

const single = (attributes: Attributes, keys: ResultKeys) =>
  result(attributes, keys.family, keys.name, keys.label, keys.score);

/**
 * OpenInference lists of results, `evaluations.0.evaluation.score`. The `trace.` and `session.`
 * lists are left out: they judge the whole trace or session, not this step.
 */
class ResultList {
  private readonly name: IndexedKey;
  private readonly label: IndexedKey;
  private readonly score: IndexedKey;

  constructor(
    private readonly family: string,
    list: string,
  ) {
    this.name = new IndexedKey(`${list}.`, `.${family}.name`);
    this.label = new IndexedKey(`${list}.`, `.${family}.label`);
    this.score = new IndexedKey(`${list}.`, `.${family}.score`);
  }

  read(attributes: Attributes, into: Evaluation[]): void {
    for (let i = 0; ; i++) {
      const found = result(
        attributes,
        this.family,
        this.name.at(i),
        this.label.at(i),
        this.score.at(i),
      );
      if (!found) return;
      into.push(found);
    }
  }
}

const LISTS = [
  new ResultList('evaluation', 'evaluations'),
  new ResultList('annotation', 'annotations'),
];

/** `langfuse` says whether the span is a Langfuse observation, whose scores need a key scan. */
export function evaluationsOf(span: Span, langfuse: boolean): Evaluation[] {
  const attributes = span.attributes;
  const found: Evaluation[] = [];
  for (const keys of SINGLE) {
    const evaluation = single(attributes, keys);
    if (evaluation) found.push(evaluation);
  }
  for (const list of LISTS) list.read(attributes, found);
  for (const name of PLAIN_SCORES) {
    const score = toNumber(attributes[name]);
    if (score !== undefined) found.push({ name, label: '', score });
  }
  for (const event of span.events) {
    if (event.name !== GEN_AI_EVENT) continue;
    const evaluation = single(event.attributes, GEN_AI);
    if (evaluation) found.push(evaluation);
  }
  if (langfuse) langfuseScores(attributes, found);
  return found;
}
