import type { FailureStatus } from '../model/index.js';
import type { Store } from '../storage/store.js';
import { ApiError } from '../api/respond.js';
import { groupBySignature, type FailureGroup } from './queue.js';
import { epochMillis, queryRows, sqlString } from '../storage/sql.js';
import { insertRows, iso, type Row } from './sql.js';
import {
  FAILURES,
  FAILURE_STATUS_CHANGES,
  SIGNATURE_STATUS,
  STATUS_REVISION_VERSION,
} from '../storage/tables.js';

/** Who changed a status, and optionally through which capture. */
export interface StatusActor {
  actor: string;
  failureId?: string;
}

/** The stored review status of each signature (absent: `new`), with when it was exported. */
export async function storedStatuses(
  store: Store,
  signatures: string[],
): Promise<Map<string, { status: FailureStatus; exportedAtMs: number }>> {
  if (signatures.length === 0) return new Map();
  const found = await queryRows(
    store,
    `SELECT Signature, argMax(Status, Version) AS Status,
    ${epochMillis('argMax(ExportedAt, Version)')} AS ExportedMs
FROM ${SIGNATURE_STATUS.in(store.database)}
WHERE Signature IN (${signatures.map(sqlString).join(', ')}) GROUP BY Signature`,
  );
  return new Map(
    found.map((row) => [
      String(row.Signature),
      { status: String(row.Status) as FailureStatus, exportedAtMs: Number(row.ExportedMs) },
    ]),
  );
}

/**
 * Moves signatures to `to`: one `signature_status` row each (a higher Version replaces the
 * last), one audit row each in `failure_status_changes` with the group's status before (so a
 * regressed export changes from `new`), and their failures written again with the new status.
 * Exporting stamps `ExportedAt`, which later occurrences are compared with to flag a regression.
 */
export async function changeStatus(
  store: Store,
  signatures: string[],
  to: FailureStatus,
  note: string,
  who: StatusActor,
): Promise<void> {
  const now = Date.now();
  const before = await Promise.all(signatures.map((s) => groupBySignature(store, s)));
  const stored = await storedStatuses(store, signatures);
  const statusRows: Row[] = [];
  const auditRows: Row[] = [];
  signatures.forEach((signature, index) => {
    const previous = stored.get(signature);
    statusRows.push({
      Signature: signature,
      Status: to,
      ExportedAt: to === 'exported' ? now : (previous?.exportedAtMs ?? 0),
      ChangedAt: now,
      // Milliseconds with a counter below them: two changes in one millisecond still order.
      Version: now * 1000 + index,
    });
    auditRows.push({
      Signature: signature,
      FailureId: who.failureId ?? '',
      Timestamp: now,
      Actor: who.actor,
      FromStatus: before[index]?.status ?? previous?.status ?? 'new',
      ToStatus: to,
      Note: note,
    });
  });
  await insertRows(store, SIGNATURE_STATUS, statusRows);
  await insertRows(store, FAILURE_STATUS_CHANGES, auditRows);
  await reviseFailures(store, signatures, to, now);
}

/**
 * `failures.Status` follows the review (SPEC §6): the signatures' failures are copied, in the
 * engine, with the new status and a status-revision Version, which replaces them under FINAL.
 * Occurrences captured later are written `new`; the queue derives their status from
 * `signature_status`, and the next change writes them too.
 */
async function reviseFailures(
  store: Store,
  signatures: string[],
  to: FailureStatus,
  nowMs: number,
): Promise<void> {
  if (signatures.length === 0) return;
  const failures = FAILURES.in(store.database);
  await store.command(
    `INSERT INTO ${failures}
SELECT * REPLACE (${sqlString(to)} AS Status, toUInt64(${statusRevision(nowMs)}) AS Version)
FROM ${failures} FINAL
WHERE Signature IN (${signatures.map(sqlString).join(', ')})`,
  );
}

/** A status revision's Version: above every root-cause revision, later changes higher. */
const statusRevision = (nowMs: number): number => STATUS_REVISION_VERSION + nowMs * 1000;

/** `PATCH /api/v1/failures/{signature}`: the group after the change. */
export async function patchSignature(
  store: Store,
  signature: string,
  to: FailureStatus,
  note: string,
  who: StatusActor,
): Promise<FailureGroup> {
  if (!(await groupBySignature(store, signature)))
    throw new ApiError(404, 'signature_not_found', `no failures with signature ${signature}`);
  await changeStatus(store, [signature], to, note, who);
  return (await groupBySignature(store, signature))!;
}

/** `PATCH /api/v1/failures/by-id/{failureId}`: changes the status of the capture's signature. */
export async function patchFailure(
  store: Store,
  failureId: string,
  to: FailureStatus,
  note: string,
  actor: string,
): Promise<FailureGroup> {
  const found = await queryRows(
    store,
    `SELECT Signature FROM ${FAILURES.in(store.database)} WHERE FailureId = ${sqlString(failureId)} LIMIT 1`,
  );
  const signature = found[0] && String(found[0].Signature);
  if (!signature) throw new ApiError(404, 'failure_not_found', `no failure ${failureId}`);
  return patchSignature(store, signature, to, note, { actor, failureId });
}

/** The audit trail of a signature, newest first. */
export async function statusHistory(store: Store, signature: string) {
  const found = await queryRows(
    store,
    `SELECT ${epochMillis('Timestamp')} AS At, Actor, FromStatus, ToStatus, Note, FailureId
FROM ${FAILURE_STATUS_CHANGES.in(store.database)}
WHERE Signature = ${sqlString(signature)} ORDER BY Timestamp DESC LIMIT 200`,
  );
  return found.map((row) => ({
    at: iso(row.At),
    actor: String(row.Actor),
    from: String(row.FromStatus),
    to: String(row.ToStatus),
    note: String(row.Note),
    failure_id: String(row.FailureId),
  }));
}
