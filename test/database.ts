import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import pg from 'pg';
import type { Kysely } from 'kysely';
import { connectDatabase, type DatabaseHandle } from '../core/db/connect.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDemo, type DemoRegion } from '../core/seed/demo.ts';

export interface TestDatabase extends DatabaseHandle {
  demo: DemoRegion;
  /** The test database's URL on PostgreSQL (for a second connection or a child process); unset on PGlite. */
  url?: string;
}

/**
 * A fresh, migrated database with the demo region for one test file: a new PostgreSQL database
 * (dropped on close) when TEST_DATABASE_URL is set, else an in-memory PGlite.
 */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  let handle: DatabaseHandle;
  let dropDatabase = async () => {};
  let testUrl: string | undefined;
  if (adminUrl) {
    const name = `otklik_t_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    testUrl = url.toString();
    handle = await connectDatabase({ url: testUrl, poolSize: 6 });
    dropDatabase = async () => {
      const admin2 = new pg.Client({ connectionString: adminUrl });
      await admin2.connect();
      await admin2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin2.end();
    };
  } else {
    const snapshot = options.seed === false ? '' : inject('pgliteSnapshot');
    handle = await connectDatabase({ dataDir: 'memory://', loadDataDir: snapshot ? new Blob([readFileSync(snapshot)]) : undefined });
  }
  await migrateToLatest(handle.db);
  // seedDemo is idempotent: on a snapshot it only reads the ids back.
  const demo = options.seed === false ? { municipalities: {} as DemoRegion['municipalities'] } : await seedDemo(handle.db);
  return {
    ...handle,
    demo,
    url: testUrl,
    close: async () => {
      await handle.close();
      await dropDatabase();
    },
  };
}

export const isRealPostgres = () => Boolean(process.env.TEST_DATABASE_URL);

/** A handle on `db` that counts the statements sent through it (`queries()`; `reset()` starts again). */
export function countingQueries<DB>(db: Kysely<DB>) {
  let queries = 0;
  const counted = db.withPlugin({
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { db: counted, queries: () => queries, reset: () => (queries = 0) };
}
