import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../core/db/types.ts';
import type { TestDatabase } from './database.ts';

/**
 * Database faults for reliability tests, each undone by the function it returns. Only the test's
 * own database is touched: the shared PostgreSQL server is never stopped.
 */
export type Restore = () => Promise<void>;

function databaseName(db: TestDatabase): string {
  if (!db.url) throw new Error('this fault needs PostgreSQL (TEST_DATABASE_URL)');
  return decodeURIComponent(new URL(db.url).pathname.slice(1));
}

/** Runs statements on an admin connection to the server's maintenance database (not the test one). */
async function asAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Ends every session of the test database but the caller's: pools reconnect with current settings. */
async function terminateSessions(client: pg.Client, name: string): Promise<void> {
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
}

/** PostgreSQL: the test database refuses new connections and its sessions are terminated (an outage of that database only). */
export async function refuseConnections(db: TestDatabase): Promise<Restore> {
  const name = databaseName(db);
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS false`);
    await terminateSessions(client, name);
  });
  return () => asAdmin(async (client) => void (await client.query(`ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS true`)));
}

/** PostgreSQL: every new session of the test database gets this statement_timeout (existing sessions are ended). */
export async function databaseStatementTimeout(db: TestDatabase, timeout: string): Promise<Restore> {
  const name = databaseName(db);
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${ident(name)} SET statement_timeout = ${pg.escapeLiteral(timeout)}`);
    await terminateSessions(client, name);
  });
  return () =>
    asAdmin(async (client) => {
      await client.query(`ALTER DATABASE ${ident(name)} RESET statement_timeout`);
      await terminateSessions(client, name);
    });
}

/** PostgreSQL: another session holds an ACCESS EXCLUSIVE lock on `table` until restored. */
export async function holdTableLock(db: TestDatabase, table: string): Promise<Restore> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('SET statement_timeout = 0');
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${ident(table)} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

/**
 * Any database (PGlite too): every insert into processed_update fails, so an update can be neither
 * handled nor recorded as poison, as when the database refuses writes. The error is a plain one
 * (not a connection error), so it also goes through the poison-record path first. Each refused
 * insert is counted (failedRecordAttempts): a sequence, because the failure rolls back anything else.
 */
export async function failUpdateRecords(db: Db): Promise<Restore> {
  await sql`CREATE SEQUENCE test_fail_record_attempts`.execute(db);
  await sql`CREATE OR REPLACE FUNCTION test_fail_record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('test_fail_record_attempts'); RAISE EXCEPTION 'test fault: processed_update refuses writes'; END $$`.execute(
    db,
  );
  await sql`CREATE TRIGGER test_fail_record BEFORE INSERT ON processed_update FOR EACH ROW EXECUTE FUNCTION test_fail_record()`.execute(db);
  return async () => {
    await sql`DROP TRIGGER test_fail_record ON processed_update`.execute(db);
    await sql`DROP FUNCTION test_fail_record()`.execute(db);
    await sql`DROP SEQUENCE test_fail_record_attempts`.execute(db);
  };
}

/** How many processed_update inserts failUpdateRecords has refused so far. */
export async function failedRecordAttempts(db: Db): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM test_fail_record_attempts`.execute(db);
  return Number(rows[0]!.n);
}
