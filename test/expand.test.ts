import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { announce, expandBatch } from '../core/broadcasts/broadcasts.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { expandFully } from './expand.ts';
import { registeredResident } from './residents.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

/**
 * Why bot and API tests expand a broadcast with expandFully, not `while (!(await expandBatch(…)).done)`:
 * the app under test runs its own expander, and while it holds a batch (the broadcast row locked)
 * expandBatch answers "done" at once (SKIP LOCKED) with nothing written, so a test that then delivers
 * the outbox finds no row. On a loaded machine that batch lasts long enough to lose the race
 * (bots/features/polls/polls.test.ts "a direct line called off" failed so).
 */
it('expandFully waits out a batch another expander holds; expandBatch alone answers done with nothing written', async () => {
  const municipalityId = t.demo.municipalities.Kemerovo;
  await registeredResident(t.db, { municipalityId });
  const id = await announce(t.db, { audience: { municipalityId, topic: 'news' }, message: { key: 'news.announcement', params: {} } });
  const rows = async () => (await t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', id).execute()).length;

  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  // Stands for the app's expander in the middle of a batch of this broadcast.
  const other = t.db.transaction().execute(async (trx) => {
    await sql`SELECT id FROM broadcast WHERE id = ${id} FOR UPDATE`.execute(trx);
    holding();
    await released;
  });
  await held;
  expect(await expandBatch(t.db, id, 100)).toEqual({ inserted: 0, done: true });
  expect(await rows()).toBe(0);

  setTimeout(release, 200);
  await expandFully(t.db, id);
  await other;
  expect(await rows()).toBeGreaterThan(0);
  expect((await t.db.selectFrom('broadcast').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('sending');
});
