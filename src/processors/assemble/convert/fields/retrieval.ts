import type { Attributes } from '../../../../model/attributes.js';
import { RERANKED_DOCUMENTS, RETRIEVED_DOCUMENTS } from '../conventions/openinference.js';
import { higherScore, isRecord, parseJson, structured, toAmount, toNumber } from '../values.js';

export interface Documents {
  count: number;
  /** The highest score, NaN when no document had one. */
  topScore: number;
}

/** Document lists sent whole, as JSON text or an OTLP array of kvlists. */
const DOCUMENT_LISTS = [
  'gen_ai.retrieval.documents', // GenAI: [{id, score}, …]
  'retrieval.documents', // the same shape from hand-written instrumentations
  'ai.ranking', // Vercel AI SDK rerank: a string array, each {originalIndex, score} as JSON
];
/** Only a count: the OpenTelemetry database conventions' rows returned by a vector store query. */
const RETURNED_ROWS = 'db.response.returned_rows';

/**
 * The documents a retrieval or reranking step returned; `undefined` when the span does not
 * say, which is not the same as an empty result (`retrieval_empty` needs the difference).
 */
export function documentsOf(attributes: Attributes): Documents | undefined {
  const listed =
    RETRIEVED_DOCUMENTS.read(attributes) ??
    RERANKED_DOCUMENTS.read(attributes) ??
    documentList(attributes);
  if (listed) return listed;
  const rows = toAmount(attributes[RETURNED_ROWS]);
  return rows === undefined ? undefined : { count: Math.round(rows), topScore: Number.NaN };
}

function documentList(attributes: Attributes): Documents | undefined {
  for (const key of DOCUMENT_LISTS) {
    const value = attributes[key];
    if (value === undefined) continue;
    const documents = structured(value);
    if (!Array.isArray(documents)) continue;
    let topScore = Number.NaN;
    for (const entry of documents as unknown[]) {
      const document: unknown = typeof entry === 'string' ? parseJson(entry) : entry;
      if (isRecord(document)) topScore = higherScore(topScore, toNumber(document.score));
    }
    return { count: documents.length, topScore };
  }
  return undefined;
}
