import { sql } from 'kysely';
import { dropCancelledUnsent, expandBatch } from '../core/broadcasts/broadcasts.ts';
import { createDirectLine, withdrawDirectLine } from '../core/polls/direct-line.ts';
import { createTestDatabase } from '../test/database.ts';

/**
 * How long withdrawing a direct-line campaign takes (the API's request: one transaction) when its
 * announcement waits in the outbox for BENCH_RECIPIENTS residents (default 100,000), and how long
 * the expander then takes to mark those rows cancelled (dropCancelledUnsent). A scratch database
 * on the DATABASE_URL (or TEST_DATABASE_URL) server, dropped after.
 */
if (process.env.DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
if (!process.env.TEST_DATABASE_URL) throw new Error('set DATABASE_URL (a PostgreSQL server to make a scratch database on)');
const recipients = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const database = await createTestDatabase();
const db = database.db;
const town = database.demo.municipalities.Kemerovo;
const now = new Date();

let t0 = Date.now();
await sql`
  WITH r AS (
    INSERT INTO resident (language, municipality_id, registered_at)
    SELECT 'ru', ${town}, now() FROM generate_series(1, ${recipients}) RETURNING id
  ), i AS (
    INSERT INTO resident_identity (resident_id, channel, external_id, chat_id) SELECT id, 'tg', (5000000 + id)::text, (5000000 + id)::text FROM r
  )
  INSERT INTO consent (resident_id, channel, text_version, text_hash, given_at) SELECT id, 'tg', 'v1', 'h', now() FROM r`.execute(db);
await sql`ANALYZE`.execute(db);
console.log(`${recipients} residents in ${Date.now() - t0} ms`);

const line = await createDirectLine(
  db,
  { municipalityId: town, title: 'Бенчмарк', headName: 'Глава', collectFrom: new Date(now.getTime() - 3_600_000), collectTo: new Date(now.getTime() + 86_400_000), broadcastOn: '2099-01-01' },
  null,
  now,
);
const { id: broadcastId } = await db.selectFrom('broadcast').select('id').where('source', '=', `direct_line:${line.id}`).executeTakeFirstOrThrow();
t0 = Date.now();
while (!(await expandBatch(db, broadcastId, 5000)).done);
await sql`ANALYZE outbox`.execute(db);
const pending = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE broadcast_id = ${broadcastId} AND state = 'pending'`.execute(db)).rows[0]!.n);
console.log(`expanded: ${await pending()} pending rows in ${Date.now() - t0} ms`);

t0 = Date.now();
await db.transaction().execute((trx) => withdrawDirectLine(trx, line.id, new Date()));
const took = Date.now() - t0;
console.log(`withdraw (one transaction, as the API's request): ${took} ms; rows still waiting (never claimed): ${await pending()}`);
t0 = Date.now();
const dropped = await dropCancelledUnsent(db);
const swept = Date.now() - t0;
console.log(`the expander marked ${dropped} rows cancelled in ${swept} ms; waiting after: ${await pending()}`);
await database.close();
console.log(`withdraw: ${recipients} recipients, ${took} ms in the request, ${swept} ms for the expander after it`);
