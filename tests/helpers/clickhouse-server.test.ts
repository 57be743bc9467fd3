import { afterAll, describe, expect, it } from 'vitest';
import {
  clickHouseServerAvailable,
  startClickHouseServer,
  type ClickHouseServerHandle,
} from './clickhouse-server.js';

async function sql(server: ClickHouseServerHandle, query: string, password = server.password) {
  const auth = 'Basic ' + Buffer.from(`${server.username}:${password}`).toString('base64');
  const res = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: { authorization: auth },
    body: query,
  });
  return { status: res.status, body: (await res.text()).trim() };
}

describe.skipIf(!clickHouseServerAvailable())(
  'clickhouse-server test harness (skipped: /usr/sbin/clickhouse-server not installed; apt-get install clickhouse-server)',
  () => {
    let server: ClickHouseServerHandle | undefined;

    afterAll(async () => {
      await server?.cleanup();
    });

    it('starts, survives SIGKILL + restart on the same port with data intact, and cleans up', async () => {
      server = await startClickHouseServer();
      const s = server;
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.username).toBe('default');
      expect(s.password).not.toBe('');

      expect(await sql(s, 'SELECT 1')).toEqual({ status: 200, body: '1' });
      expect((await sql(s, 'SELECT 1', 'wrong-password')).status).not.toBe(200);

      await sql(s, 'CREATE TABLE harness_t (a UInt32) ENGINE = MergeTree ORDER BY a');
      expect((await sql(s, 'INSERT INTO harness_t VALUES (1), (2), (3)')).status).toBe(200);

      const url = s.url;
      await s.kill();
      await expect(fetch(`${url}/?query=SELECT%201`)).rejects.toThrow();

      await s.start();
      expect(s.url).toBe(url);
      expect(await sql(s, 'SELECT sum(a) FROM harness_t')).toEqual({ status: 200, body: '6' });

      await s.stop();
      await s.start();
      expect(await sql(s, 'SELECT count() FROM harness_t')).toEqual({ status: 200, body: '3' });

      await s.cleanup();
      server = undefined;
      await expect(fetch(`${url}/?query=SELECT%201`)).rejects.toThrow();
    }, 120_000);
  },
);
