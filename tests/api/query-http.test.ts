import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';

/**
 * The SQL API spoken the way ClickHouse's HTTP interface is: raw SQL bodies as curl sends them
 * (`--data-binary` posts `application/x-www-form-urlencoded`), `?query=`, `default_format` /
 * `format`, against a spawned daemon; Faultline's JSON body keeps working beside them.
 */
describe('SQL API with ClickHouse HTTP habits', () => {
  let daemon: DaemonHandle;
  const post = (query: string, body: string, contentType: string) =>
    fetch(`${daemon.adminUrl}/api/v1/query${query}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    });
  const curlData = (query: string, body: string) =>
    post(query, body, 'application/x-www-form-urlencoded');

  beforeAll(async () => {
    daemon = await startDaemon();
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it('runs a raw SQL body, answering ClickHouse JSON unless a format is named', async () => {
    const response = await curlData('', 'SELECT 1 AS one');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ data: [{ one: 1 }], rows: 1 });
    const plain = await post('?default_format=TSV', 'SELECT 2 AS two', 'text/plain');
    expect(await plain.text()).toBe('2\n');
  });

  it('takes the format from default_format or format', async () => {
    const rows = await curlData('?default_format=JSONEachRow', 'SELECT 1 AS one, 2 AS two');
    expect(await rows.text()).toBe('{"one":1,"two":2}\n');
    const named = await curlData('?format=TabSeparatedWithNames', 'SELECT 1 AS one');
    expect(await named.text()).toBe('one\n1\n');
    const unknown = await curlData('?default_format=Parquet', 'SELECT 1');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { message: /unknown format "Parquet"/ } });
  });

  it('runs ?query= by GET and by POST', async () => {
    const sql = encodeURIComponent('SELECT count() FROM system.one');
    const get = await fetch(`${daemon.adminUrl}/api/v1/query?query=${sql}&default_format=TSV`);
    expect([get.status, await get.text()]).toEqual([200, '1\n']);
    const posted = await curlData(`?query=${sql}&default_format=JSONEachRow`, '');
    expect(await posted.text()).toBe('{"count()":1}\n');
    const twice = await curlData(`?query=${sql}`, 'SELECT 2');
    expect(twice.status).toBe(400);
  });

  it('stays read-only', async () => {
    const response = await curlData('', 'CREATE TABLE default.x (a UInt8) ENGINE = Memory');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'not_read_only' } });
    const viaQuery = await fetch(
      `${daemon.adminUrl}/api/v1/query?query=${encodeURIComponent('DROP TABLE faultline.otel_traces')}`,
    );
    expect(viaQuery.status).toBe(400);
    expect(await daemon.query('SELECT count() AS n FROM faultline.otel_traces')).toEqual([
      { n: 0 },
    ]);
  });

  it('keeps the JSON body, whatever the content type, and says what is missing', async () => {
    const json = await post('', '{"sql":"SELECT 3 AS three"}', 'application/json');
    expect(await json.json()).toMatchObject({ data: [{ three: 3 }] });
    const curlJson = await curlData('', '{"sql":"SELECT 4","format":"CSV"}');
    expect(await curlJson.text()).toBe('4\n');
    const empty = await curlData('', '  ');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { message: /no SQL/ } });
  });
});
