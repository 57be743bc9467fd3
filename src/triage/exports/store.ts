import { randomBytes } from 'node:crypto';
import type { Store } from '../../storage/store.js';
import { ApiError } from '../../api/respond.js';
import { occurrenceFacts } from '../facts.js';
import type { ExportKind } from '../params.js';
import { groupBySignature, type FailureGroup } from '../queue.js';
import { changeStatus } from '../status.js';
import { queryRows, sqlString } from '../../storage/sql.js';
import { insertRows } from '../sql.js';
import { evalDataset } from './eval-dataset.js';
import { guardrails } from './guardrails.js';
import { runbook } from './runbook.js';
import { EXPORTS } from '../../storage/tables.js';

/** Occurrences read per signature for an export. */
const OCCURRENCES_PER_SIGNATURE = 100;

const FORMATS: Record<ExportKind, { contentType: string; extension: string }> = {
  eval_dataset: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' },
  guardrails: { contentType: 'application/yaml; charset=utf-8', extension: 'yaml' },
  runbook: { contentType: 'text/markdown; charset=utf-8', extension: 'md' },
};

/**
 * `POST /api/v1/exports`: renders the export from stored (redacted) failures and spans,
 * stores it in `exports`, and moves its signatures to `exported`.
 */
export async function createExport(
  store: Store,
  request: { signatures: string[]; kind: ExportKind },
  actor: string,
) {
  const signatures = [...new Set(request.signatures)];
  const groups: FailureGroup[] = [];
  for (const signature of signatures) {
    const group = await groupBySignature(store, signature);
    if (!group)
      throw new ApiError(404, 'signature_not_found', `no failures with signature ${signature}`);
    groups.push(group);
  }
  const facts = await occurrenceFacts(store, signatures, OCCURRENCES_PER_SIGNATURE);
  const content =
    request.kind === 'eval_dataset'
      ? evalDataset(facts)
      : request.kind === 'guardrails'
        ? guardrails(groups, facts)
        : runbook(groups, facts);
  const count = request.kind === 'eval_dataset' ? facts.length : groups.length;
  const id = randomBytes(16).toString('hex');
  await insertRows(store, EXPORTS, [
    {
      ExportId: id,
      Timestamp: Date.now(),
      Kind: request.kind,
      Signatures: signatures,
      Count: count,
      Content: content,
    },
  ]);
  await changeStatus(store, signatures, 'exported', `export ${id} (${request.kind})`, { actor });
  return { id, kind: request.kind, count, url: `/api/v1/exports/${id}` };
}

/** `GET /api/v1/exports/{id}`: the stored document. */
export async function exportById(store: Store, id: string) {
  if (!/^[0-9a-f]{32}$/.test(id))
    throw new ApiError(400, 'invalid_export_id', 'an export id is 32 hexadecimal characters');
  const found = await queryRows(
    store,
    `SELECT Kind, Content FROM ${EXPORTS.in(store.database)} WHERE ExportId = ${sqlString(id)} LIMIT 1`,
  );
  const row = found[0];
  if (!row) throw new ApiError(404, 'export_not_found', `no export ${id}`);
  const kind = String(row.Kind) as ExportKind;
  const format = FORMATS[kind];
  return {
    content: String(row.Content),
    contentType: format.contentType,
    fileName: `faultline-${kind}-${id}.${format.extension}`,
  };
}
