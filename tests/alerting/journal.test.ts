import { describe, expect, it } from 'vitest';
import { AlertRecorder } from '../../src/alerting/store/journal.js';
import { RecordingStore, silentLogger } from '../helpers/test-doubles.js';

describe('AlertRecorder', () => {
  it('holds rows while storage fails and stores them, in order, once it answers', async () => {
    const store = new RecordingStore();
    store.failWith = [new Error('storage down')];
    const recorder = new AlertRecorder(store, silentLogger);
    recorder.add('alerts', ['{"n":1}']);
    await recorder.flush();
    expect(store.inserts).toEqual([]);
    recorder.add('alerts', ['{"n":2}']);
    recorder.add('incidents', ['{"i":1}']);
    await recorder.flush();
    recorder.close();
    expect(store.inserts.map((i) => [i.table, i.rows])).toEqual([
      ['alerts', ['{"n":1}', '{"n":2}']],
      ['incidents', ['{"i":1}']],
    ]);
  });
});
