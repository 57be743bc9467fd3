import type { Failure } from '../../../model/index.js';
import { NativeBlockEncoder, columnsOf } from './block.js';
import { DateTime64, String_, UInt64 } from './types.js';

const failure = columnsOf<Failure>();

/**
 * `failures` rows, one per captured failure. Captures carry Version 0 and each root-cause
 * revision a higher one, so a span delivered again never overwrites a revised `CausedBy`.
 * (Review status belongs to the signature, `signature_status`; a status change writes the
 * signature's stored failures again.)
 */
const FAILURE_COLUMNS = [
  failure('FailureId', String_, (f) => f.failureId),
  failure('Timestamp', DateTime64(9), (f) => f.timeUnixNano),
  failure('TraceId', String_, (f) => f.traceId),
  failure('SpanId', String_, (f) => f.spanId),
  failure('ServiceName', String_, (f) => f.serviceName),
  failure('AgentName', String_, (f) => f.agentName),
  failure('StepType', String_, (f) => f.stepType),
  failure('SpanName', String_, (f) => f.spanName),
  failure('Operation', String_, (f) => f.operation),
  failure('Class', String_, (f) => f.failureClass),
  failure('Severity', String_, (f) => f.severity),
  failure('Rule', String_, (f) => f.rule),
  failure('Signature', String_, (f) => f.signature),
  failure('Message', String_, (f) => f.message),
  failure('Status', String_, (f) => f.status),
  failure('CausedBy', String_, (f) => f.causedBy),
  failure('CauseSignature', String_, (f) => f.causeSignature),
  failure('Version', UInt64, (f) => f.revision),
];

/** Failures → one Native block for `failures`. */
export const failureBlockEncoder = (): NativeBlockEncoder<Failure> =>
  new NativeBlockEncoder(FAILURE_COLUMNS, (f) => f);
