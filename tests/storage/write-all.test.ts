/**
 * writeAll writes every byte, whatever the kernel takes per call. A regular file takes all of
 * a writev at once here, so short writes come from a stand-in handle that takes a few bytes per
 * call (the kernel cannot be made to write short on this machine); a real file checks the rest.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAll, writeAllSync } from '../../src/storage/write-all.js';

const parts = ['header|', 'payload one|', '', 'payload two'].map((text) => Buffer.from(text));

/** Takes at most `perCall` bytes per writev, as a kernel writing short would. */
function shortWriting(perCall: number): { handle: FileHandle; written: Buffer[]; calls: number } {
  const state = { written: [] as Buffer[], calls: 0 };
  const handle = {
    writev(buffers: Buffer[]) {
      state.calls++;
      const taken = Buffer.concat(buffers).subarray(0, perCall);
      state.written.push(Buffer.from(taken));
      return Promise.resolve({ bytesWritten: taken.length, buffers });
    },
  } as unknown as FileHandle;
  return {
    handle,
    get written() {
      return state.written;
    },
    get calls() {
      return state.calls;
    },
  };
}

describe('writeAll', () => {
  it('writes every part of a body to a file, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-write-all-'));
    try {
      const path = join(dir, 'body');
      const file = await open(path, 'w');
      await writeAll(file, parts);
      await file.close();
      expect(readFileSync(path, 'utf8')).toBe('header|payload one|payload two');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes every part on the calling thread with writeAllSync, after what the file holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-write-all-'));
    try {
      const path = join(dir, 'body');
      const fd = openSync(path, 'a');
      writeAllSync(fd, parts);
      writeAllSync(fd, [Buffer.from('|again')]);
      closeSync(fd);
      expect(readFileSync(path, 'utf8')).toBe('header|payload one|payload two|again');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes on after short writes, across and inside parts', async () => {
    for (const perCall of [1, 5, 7, 13]) {
      const target = shortWriting(perCall);
      await writeAll(target.handle, parts);
      expect(Buffer.concat(target.written).toString()).toBe('header|payload one|payload two');
      expect(target.calls).toBe(Math.ceil(Buffer.concat(parts).length / perCall));
    }
  });
});
