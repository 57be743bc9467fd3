import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADER_BYTES, RECORD_MAGIC, checksumMatches, readHeader } from './record.js';

const SEGMENT_SUFFIX = '.wal';

export const segmentPath = (directory: string, segment: number): string =>
  join(directory, `${String(segment).padStart(20, '0')}${SEGMENT_SUFFIX}`);

/** The segment numbers in `directory`, oldest first. */
export async function listSegments(directory: string): Promise<number[]> {
  const names = await readdir(directory);
  return names
    .filter((name) => name.endsWith(SEGMENT_SUFFIX))
    .map((name) => Number(name.slice(0, -SEGMENT_SUFFIX.length)))
    .filter((segment) => Number.isSafeInteger(segment))
    .sort((a, b) => a - b);
}

/** Where one record sits in the log. */
export interface RecordLocation {
  segment: number;
  /** Byte offset of the header in the segment. */
  offset: number;
  /** Byte offset just past the payload. */
  end: number;
  rows: number;
  appendedAt: number;
}

export interface SegmentScan {
  records: RecordLocation[];
  /** Stretches of bytes that were not a valid record (torn writes, corruption). */
  corruptRecords: number;
  skippedBytes: number;
}

/**
 * Reads a segment from `from` and lists its valid records. A record whose header or checksum
 * is wrong is skipped: the reader looks for the next record magic after it, so one torn or
 * corrupt record never hides the ones behind it.
 */
export async function scanSegment(
  directory: string,
  segment: number,
  from: number,
): Promise<SegmentScan> {
  const data = await readFile(segmentPath(directory, segment));
  const scan: SegmentScan = { records: [], corruptRecords: 0, skippedBytes: 0 };
  let offset = from;
  let corruptSince = -1;
  while (offset < data.length) {
    const header = readHeader(data, offset);
    const end = header ? offset + HEADER_BYTES + header.payloadBytes : -1;
    if (
      header &&
      end <= data.length &&
      checksumMatches(data, offset, data.subarray(offset + HEADER_BYTES, end))
    ) {
      if (corruptSince >= 0) closeCorruptStretch(scan, corruptSince, offset);
      corruptSince = -1;
      scan.records.push({ segment, offset, end, rows: header.rows, appendedAt: header.appendedAt });
      offset = end;
      continue;
    }
    if (corruptSince < 0) corruptSince = offset;
    offset = nextMagic(data, offset + 1);
  }
  if (corruptSince >= 0) closeCorruptStretch(scan, corruptSince, data.length);
  return scan;
}

function closeCorruptStretch(scan: SegmentScan, from: number, to: number): void {
  scan.corruptRecords++;
  scan.skippedBytes += to - from;
}

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32LE(RECORD_MAGIC, 0);

function nextMagic(data: Buffer, from: number): number {
  const found = data.indexOf(MAGIC_BYTES, from);
  return found < 0 ? data.length : found;
}
