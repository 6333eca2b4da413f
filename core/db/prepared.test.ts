import { sql, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, isRealPostgres, type TestDatabase } from '../../test/database.ts';
import type { Database } from './database.ts';
import { asLastStatement, preparingPool, sendWith } from './prepared.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(async () => {
  await t.close();
});

/** The statements prepared on the connection that runs `fn`'s transaction. */
async function preparedOn<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<{ result: T; statements: string[] }> {
  return db.transaction().execute(async (trx) => {
    const result = await fn(trx);
    const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`.execute(trx);
    return { result, statements: rows.map((r) => r.statement) };
  });
}

describe('the per-update database handle', () => {
  it('is the plain one on the embedded database (PGlite has one connection and no pool), a preparing one on PostgreSQL', () => {
    expect(t.kind).toBe(isRealPostgres() ? 'postgres' : 'pglite');
    if (isRealPostgres()) expect(t.prepared).not.toBe(t.db);
    else expect(t.prepared).toBe(t.db);
  });

  it('runs a statement sent ahead (sendWith) when its caller runs it, on either database', async () => {
    const rows = await t.prepared.transaction().execute(async (trx) => {
      const next = sql<{ sum: number }>`SELECT ${2}::int + ${3}::int AS sum`.compile(trx);
      const first = await trx.executeQuery(sendWith(sql<{ one: number }>`SELECT ${1}::int AS one`.compile(trx), next));
      return [first.rows, (await trx.executeQuery(next)).rows];
    });
    expect(rows).toEqual([[{ one: 1 }], [{ sum: 5 }]]);
  });

  describe.runIf(isRealPostgres())('on PostgreSQL', () => {
    let pool: pg.Pool;
    const open = (maxStatements?: number) => new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool, maxStatements) }) });
    beforeAll(async () => {
      // One connection: every statement below meets the ones prepared before it.
      pool = new pg.Pool({ connectionString: t.url, max: 1 });
      await sql`CREATE TABLE prepared_probe (id int PRIMARY KEY, label text)`.execute(t.db);
      await sql`INSERT INTO prepared_probe VALUES (1, 'one'), (2, 'two')`.execute(t.db);
    });
    afterAll(async () => {
      await pool.end();
    });

    it('prepares a statement with parameters once per connection and runs it again by name', async () => {
      const db = open();
      const byId = (d: Kysely<Database>, id: number) => sql<{ label: string }>`SELECT label FROM prepared_probe WHERE id = ${id}`.execute(d);
      const { result, statements } = await preparedOn(db, async (trx) => [(await byId(trx, 1)).rows, (await byId(trx, 2)).rows]);
      expect(result).toEqual([[{ label: 'one' }], [{ label: 'two' }]]);
      expect(statements.filter((s) => s.includes('FROM prepared_probe WHERE id = $1'))).toHaveLength(1);
    });

    it('leaves statements without parameters unprepared (BEGIN, COMMIT, constants)', async () => {
      const db = open();
      const { statements } = await preparedOn(db, (trx) => sql`SELECT count(*) FROM prepared_probe`.execute(trx));
      expect(statements.some((s) => s.includes('SELECT count(*) FROM prepared_probe'))).toBe(false);
      expect(statements.some((s) => /^(begin|commit)$/i.test(s))).toBe(false);
    });

    it('runs texts past its limit unnamed', async () => {
      const db = open(1);
      const { result, statements } = await preparedOn(db, async (trx) => {
        await sql`SELECT 1 + ${1}::int AS first_one`.execute(trx);
        return (await sql<{ n: number }>`SELECT 2 + ${2}::int AS n`.execute(trx)).rows;
      });
      expect(result).toEqual([{ n: 4 }]);
      expect(statements.filter((s) => s.includes('first_one'))).toHaveLength(1);
      expect(statements.some((s) => s.includes('AS n'))).toBe(false);
    });

    it('prepares a statement again after the server dropped it (DEALLOCATE ALL, a pooler): one failure, then it works', async () => {
      const db = open();
      const read = () => sql<{ label: string }>`SELECT label AS dropped FROM prepared_probe WHERE id = ${1}`.execute(db);
      await read();
      await sql`DEALLOCATE ALL`.execute(db);
      await expect(read()).rejects.toMatchObject({ code: '26000' });
      expect((await read()).rows).toEqual([{ dropped: 'one' }]);
    });

    it('prepares a statement again when its result columns changed under it (a migration by another instance)', async () => {
      const db = open();
      const readAll = () => sql<Record<string, unknown>>`SELECT * FROM prepared_probe WHERE id = ${2}`.execute(db);
      expect((await readAll()).rows).toEqual([{ id: 2, label: 'two' }]);
      await sql`ALTER TABLE prepared_probe ADD COLUMN note text DEFAULT 'new'`.execute(t.db);
      await expect(readAll()).rejects.toMatchObject({ code: '0A000' });
      expect((await readAll()).rows).toEqual([{ id: 2, label: 'two', note: 'new' }]);
    });

    describe('transaction control rides with the next statement', () => {
      let sent: string[];
      let counted: pg.Pool;
      let db: Kysely<Database>;
      beforeAll(async () => {
        // Every message pg sends on the connection, as the text of its statement(s).
        counted = new pg.Pool({ connectionString: t.url, max: 1 });
        counted.on('connect', (client) => {
          const query = client.query.bind(client) as (...args: unknown[]) => unknown;
          (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
            const first = args[0] as string | { text?: string; prefix?: string[]; followers?: { text: string }[]; suffix?: string[] };
            if (sent) sent.push(typeof first === 'string' ? first : [...(first.prefix ?? []), first.text, ...(first.followers ?? []).map((f) => f.text), ...(first.suffix ?? [])].join(' + '));
            return query(...args);
          };
        });
        db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(counted) }) });
        await sql`CREATE TABLE pipelined_probe (id int PRIMARY KEY)`.execute(t.db);
      });
      afterAll(async () => {
        await counted.end();
      });
      const ids = async () => (await sql<{ id: number }>`SELECT id FROM pipelined_probe ORDER BY id`.execute(t.db)).rows.map((r) => r.id);
      const insert = (d: Kysely<Database>, id: number) => sql`INSERT INTO pipelined_probe VALUES (${id})`.execute(d);

      it('sends BEGIN with the first statement: a transaction of two statements is three round trips', async () => {
        sent = [];
        await db.transaction().execute(async (trx) => {
          await insert(trx, 1);
          await insert(trx, 2);
        });
        expect(sent).toEqual(['begin + INSERT INTO pipelined_probe VALUES ($1)', 'INSERT INTO pipelined_probe VALUES ($1)', 'commit']);
        expect(await ids()).toEqual([1, 2]);
      });

      it('sends nothing for a transaction that ran no statement', async () => {
        sent = [];
        await db.transaction().execute(async () => {});
        await expect(db.transaction().execute(async () => Promise.reject(new Error('changed my mind')))).rejects.toThrow('changed my mind');
        expect(sent).toEqual([]);
      });

      it('keeps the isolation level asked for', async () => {
        const level = await db
          .transaction()
          .setIsolationLevel('serializable')
          .execute(async (trx) => (await sql<{ transaction_isolation: string }>`SHOW transaction_isolation`.execute(trx)).rows[0]?.transaction_isolation);
        expect(level).toBe('serializable');
      });

      it('rolls a failing first statement back with its BEGIN, and the connection serves the next transaction', async () => {
        await expect(
          db.transaction().execute(async (trx) => {
            await insert(trx, 1); // already there: a unique violation in the first round trip
          }),
        ).rejects.toMatchObject({ code: '23505' });
        await expect(
          db.transaction().execute(async (trx) => {
            await insert(trx, 3);
            await insert(trx, 3);
          }),
        ).rejects.toMatchObject({ code: '23505' });
        expect(await ids()).toEqual([1, 2]);
        await db.transaction().execute((trx) => insert(trx, 4));
        expect(await ids()).toEqual([1, 2, 4]);
      });

      it('prepares a statement again whose first Parse, sent after a BEGIN, failed (a lock held elsewhere timed it out)', async () => {
        const other = new pg.Client({ connectionString: t.url });
        await other.connect();
        await sql`SET lock_timeout = '100ms'`.execute(db);
        const locked = (d: Kysely<Database>) => sql`INSERT INTO pipelined_probe SELECT ${41} WHERE ${true}`.execute(d);
        try {
          await other.query('BEGIN');
          await other.query('LOCK TABLE pipelined_probe IN ACCESS EXCLUSIVE MODE');
          await expect(db.transaction().execute((trx) => locked(trx))).rejects.toMatchObject({ code: '55P03' });
        } finally {
          await other.query('ROLLBACK');
          await other.end();
          await sql`RESET lock_timeout`.execute(db);
        }
        await db.transaction().execute((trx) => locked(trx));
        expect(await ids()).toContain(41);
        await sql`DELETE FROM pipelined_probe WHERE id = 41`.execute(t.db);
      });

      it("sends a transaction's last statement with its COMMIT: a one-statement transaction is one round trip", async () => {
        sent = [];
        const last = (d: Kysely<Database>, id: number) => d.executeQuery(asLastStatement(sql`INSERT INTO pipelined_probe VALUES (${id}) RETURNING id`.compile(d)));
        const result = await db.transaction().execute((trx) => last(trx, 50));
        expect(result.rows).toEqual([{ id: 50 }]);
        await db.transaction().execute(async (trx) => {
          await insert(trx, 51);
          await last(trx, 52);
        });
        expect(sent).toEqual([
          'begin + INSERT INTO pipelined_probe VALUES ($1) RETURNING id + COMMIT',
          'begin + INSERT INTO pipelined_probe VALUES ($1)',
          'INSERT INTO pipelined_probe VALUES ($1) RETURNING id + COMMIT',
        ]);
        expect(await ids()).toEqual(expect.arrayContaining([50, 51, 52]));

        // A failing last statement commits nothing: the transaction is rolled back as usual.
        await expect(
          db.transaction().execute(async (trx) => {
            await insert(trx, 53);
            await last(trx, 50);
          }),
        ).rejects.toMatchObject({ code: '23505' });
        expect(await ids()).not.toContain(53);

        // Nothing may run after it: the statement fails, the work before it stays committed.
        await expect(
          db.transaction().execute(async (trx) => {
            await last(trx, 54);
            await insert(trx, 55);
          }),
        ).rejects.toThrow('after its transaction was committed');
        expect(await ids()).toContain(54);
        expect(await ids()).not.toContain(55);
        await sql`DELETE FROM pipelined_probe WHERE id >= 50`.execute(t.db);
        await db.transaction().execute((trx) => insert(trx, 56));
        expect(await ids()).toContain(56);
        await sql`DELETE FROM pipelined_probe WHERE id = 56`.execute(t.db);
      });

      describe('a statement known ahead (sendWith) goes with the one before it', () => {
        const insertQuery = (d: Kysely<Database>, id: number) => sql<{ id: number }>`INSERT INTO pipelined_probe VALUES (${id}) RETURNING id`.compile(d);
        const countQuery = (d: Kysely<Database>, from: number) => sql<{ n: string }>`SELECT count(*) AS n FROM pipelined_probe WHERE id >= ${from}`.compile(d);
        const bothIn = async (d: Kysely<Database>, id: number) =>
          d.transaction().execute(async (trx) => {
            const next = countQuery(trx, 60);
            const first = await trx.executeQuery(sendWith(insertQuery(trx, id), next));
            const second = await trx.executeQuery(next);
            return [first.rows, second.rows];
          });
        afterAll(async () => {
          await sql`DELETE FROM pipelined_probe WHERE id >= 60`.execute(t.db);
        });

        it('one round trip for both; each caller gets its own result, and the second sees what the first wrote', async () => {
          sent = [];
          expect(await bothIn(db, 60)).toEqual([[{ id: 60 }], [{ n: '1' }]]);
          expect(sent).toEqual(['begin + INSERT INTO pipelined_probe VALUES ($1) RETURNING id + SELECT count(*) AS n FROM pipelined_probe WHERE id >= $1', 'commit']);
          // Prepared once on the connection, bound again the next time (no "already exists").
          expect(await bothIn(db, 61)).toEqual([[{ id: 61 }], [{ n: '2' }]]);
          const { statements } = await preparedOn(db, async () => undefined);
          expect(statements.filter((text) => text.includes('SELECT count(*) AS n FROM pipelined_probe'))).toHaveLength(1);
        });

        it('a failing first statement: the second did not run and the transaction is rolled back', async () => {
          const ran = sql`INSERT INTO pipelined_probe VALUES (${62})`.compile(db);
          await expect(
            db.transaction().execute(async (trx) => {
              await trx.executeQuery(sendWith(insertQuery(trx, 60), ran));
            }),
          ).rejects.toMatchObject({ code: '23505' });
          expect(await ids()).not.toContain(62);
          expect(await bothIn(db, 63)).toEqual([[{ id: 63 }], [{ n: '3' }]]);
        });

        it("a failing second statement fails the first one's call, keeps nothing of either, and is prepared again next time", async () => {
          await expect(
            db.transaction().execute(async (trx) => {
              // The second statement's Parse completes on the server, its execution fails (a duplicate id).
              await trx.executeQuery(sendWith(insertQuery(trx, 64), sql`INSERT INTO pipelined_probe SELECT ${60}::int AS again`.compile(trx)));
            }),
          ).rejects.toMatchObject({ code: '23505' });
          expect(await ids()).not.toContain(64);
          await db.transaction().execute(async (trx) => {
            const next = sql`INSERT INTO pipelined_probe SELECT ${65}::int AS again`.compile(trx);
            await trx.executeQuery(sendWith(insertQuery(trx, 66), next));
            await trx.executeQuery(next);
          });
          expect(await ids()).toEqual(expect.arrayContaining([65, 66]));
        });

        it('the caller that does not run the second statement rolls back: it ran all the same', async () => {
          await expect(
            db.transaction().execute(async (trx) => {
              await trx.executeQuery(sendWith(insertQuery(trx, 67), sql`INSERT INTO pipelined_probe VALUES (${68})`.compile(trx)));
              throw new Error('a duplicate: roll back');
            }),
          ).rejects.toThrow('roll back');
          expect(await ids()).not.toContain(67);
          expect(await ids()).not.toContain(68);
        });

        it('on the plain handle the second statement runs when its caller runs it', async () => {
          expect(await bothIn(t.db, 69)).toEqual([[{ id: 69 }], [{ n: '6' }]]);
        });
      });

      it('sends a SAVEPOINT with the next statement; rolling back to it undoes only what followed it', async () => {
        sent = [];
        await db.transaction().execute(async (trx) => {
          await insert(trx, 5);
          await sql.raw('SAVEPOINT step').execute(trx);
          await expect(insert(trx, 5)).rejects.toMatchObject({ code: '23505' });
          await sql.raw('ROLLBACK TO SAVEPOINT step').execute(trx);
          await insert(trx, 6);
        });
        expect(sent).toEqual([
          'begin + INSERT INTO pipelined_probe VALUES ($1)',
          'SAVEPOINT step + INSERT INTO pipelined_probe VALUES ($1)',
          'ROLLBACK TO SAVEPOINT step',
          'INSERT INTO pipelined_probe VALUES ($1)',
          'commit',
        ]);
        expect(await ids()).toEqual([1, 2, 4, 5, 6]);
      });

      it('sends nothing for a savepoint rolled back to or released before any statement ran', async () => {
        sent = [];
        await db.transaction().execute(async (trx) => {
          await sql.raw('SAVEPOINT quiet').execute(trx);
          await sql.raw('ROLLBACK TO SAVEPOINT quiet').execute(trx);
          await insert(trx, 7);
        });
        // Kysely's own savepoints (a controlled transaction), quoted names.
        const trx = await db.startTransaction().execute();
        const sp = await trx.savepoint('kysely_sp').execute();
        await sp.releaseSavepoint('kysely_sp').execute();
        await insert(sp, 8);
        await sp.commit().execute();
        expect(sent).toEqual(['begin + SAVEPOINT quiet + INSERT INTO pipelined_probe VALUES ($1)', 'commit', 'begin + INSERT INTO pipelined_probe VALUES ($1)', 'commit']);
        expect(await ids()).toEqual([1, 2, 4, 5, 6, 7, 8]);
      });
    });

    it('is what the bots and the outbox get from connectDatabase, and the plain handle prepares nothing', async () => {
      expect(t.prepared).not.toBe(t.db);
      const probe = (d: Kysely<Database>) => preparedOn(d, (trx) => sql`SELECT label AS via_handle FROM prepared_probe WHERE id = ${1}`.execute(trx));
      expect((await probe(t.db)).statements.some((s) => s.includes('via_handle'))).toBe(false);
      expect((await probe(t.prepared)).statements.some((s) => s.includes('via_handle'))).toBe(true);
    });
  });
});
