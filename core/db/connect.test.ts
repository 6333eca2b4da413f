import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { connectDatabase, type DatabaseHandle } from './connect.ts';

if (isRealPostgres()) {
  describe('a PostgreSQL session that dies while its connection is checked out', () => {
    let test: TestDatabase;
    let handle: DatabaseHandle;
    beforeAll(async () => {
      test = await createTestDatabase({ seed: false });
      handle = await connectDatabase({ url: test.url, poolSize: 2 });
    });
    afterAll(async () => {
      await handle?.close();
      await test?.close();
    });

    it('fails the transaction with the connection error instead of crashing the process', async () => {
      const seen: unknown[] = [];
      const onUncaught = (err: unknown) => seen.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        const outcome = handle.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          const admin = new pg.Client({ connectionString: test.url });
          await admin.connect();
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          await admin.end();
          // The client is checked out and idle here, as during a transaction waiting on other work.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`SELECT 1`.execute(trx);
        });
        await expect(outcome).rejects.toThrow(/terminat|ECONNRESET|not queryable/i);
        expect(seen).toEqual([]);
        // The pool replaces the dead connection.
        const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db);
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });
  });
}
