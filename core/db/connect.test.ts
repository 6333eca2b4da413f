import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import { connectDatabase } from './connect.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.close());

describe.runIf(isRealPostgres())('the PostgreSQL pool', () => {
  it('keeps the connections a burst opened once they are idle (closing them all at once costs PostgreSQL ~20 ms of CPU each)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const handle = await connectDatabase({ url: t.url, poolSize: 3 });
    try {
      // Three statements at once take three connections.
      const pids = await Promise.all([1, 2, 3].map(() => sql<{ pid: number }>`SELECT pg_backend_pid() AS pid, pg_sleep(0.05)`.execute(handle.db)));
      expect(new Set(pids.map((r) => r.rows[0]!.pid)).size).toBe(3);
      expect(handle.pool!.idleCount).toBe(3);
      // pg-pool's default idle timeout is 10 s: a minute later they are all still open.
      vi.advanceTimersByTime(60_000);
      expect(handle.pool!.totalCount).toBe(3);
      expect((await sql<{ n: number }>`SELECT 1 AS n`.execute(handle.db)).rows).toEqual([{ n: 1 }]);
    } finally {
      vi.useRealTimers();
      await handle.close();
    }
  });
});
