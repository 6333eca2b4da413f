import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { isOverdue, openOverduePredicate, overduePredicate, type OverdueFacts } from './overdue.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const day = 24 * 60 * 60 * 1000;
const accepted = new Date('2026-11-01T03:00:00Z');
const plus = (days: number, extraMs = 0) => new Date(accepted.getTime() + days * day + extraMs);

/** Cases around the 14-day boundary: [name, facts, now, overdue?]. */
const cases: [string, OverdueFacts, Date, boolean][] = [
  ['not accepted', { acceptedAt: null, firstIntermediateAt: null, closedAt: null }, plus(30), false],
  ['exactly 14 days in work', { acceptedAt: accepted, firstIntermediateAt: null, closedAt: null }, plus(14), false],
  ['14 days and a second', { acceptedAt: accepted, firstIntermediateAt: null, closedAt: null }, plus(14, 1000), true],
  ['intermediate on day 13', { acceptedAt: accepted, firstIntermediateAt: plus(13), closedAt: null }, plus(40), false],
  ['intermediate exactly at day 14', { acceptedAt: accepted, firstIntermediateAt: plus(14), closedAt: null }, plus(40), false],
  ['intermediate on day 15', { acceptedAt: accepted, firstIntermediateAt: plus(15), closedAt: null }, plus(16), true],
  ['closed on day 10', { acceptedAt: accepted, firstIntermediateAt: null, closedAt: plus(10) }, plus(100), false],
  ['closed on day 20 without intermediate', { acceptedAt: accepted, firstIntermediateAt: null, closedAt: plus(20) }, plus(100), true],
];

describe('the overdue rule of KPI 7', () => {
  it.each(cases)('%s', (_name, facts, now, expected) => {
    expect(isOverdue(facts, now)).toBe(expected);
  });

  it('the SQL predicate agrees with the function on every case', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const residentId = await registeredResident(db, { municipalityId: kemerovo });
    const category = await categoryId(db, 'roads.pothole');
    for (const [name, facts, now, expected] of cases) {
      const status = facts.closedAt ? 'solved' : facts.acceptedAt ? 'in_work' : 'new';
      const { id } = await db
        .insertInto('message')
        .values({ author_id: residentId, municipality_id: kemerovo, category_id: category, text: name, lat: KEMEROVO_CENTER.lat, lon: KEMEROVO_CENTER.lon, status, accepted_at: facts.acceptedAt, first_intermediate_at: facts.firstIntermediateAt, closed_at: facts.closedAt, created_at: accepted, updated_at: accepted })
        .returning('id')
        .executeTakeFirstOrThrow();
      const viaSql = await db.selectFrom('message').select('id').where('id', '=', id).where((eb) => overduePredicate(eb, now)).executeTakeFirst();
      expect(viaSql !== undefined, name).toBe(expected);
      const openViaSql = await db.selectFrom('message').select('id').where('id', '=', id).where((eb) => openOverduePredicate(eb, now)).executeTakeFirst();
      expect(openViaSql !== undefined, `${name} (open scan)`).toBe(expected && status === 'in_work');
    }
  });

  it('the open-overdue scan uses the partial index of messages in work', async () => {
    const { db } = t;
    await sql`ANALYZE message`.execute(db);
    await sql`SET enable_seqscan = off`.execute(db);
    try {
      const compiled = db.selectFrom('message').select('id').where((eb) => openOverduePredicate(eb, plus(30))).compile();
      const plan = await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN ${compiled.sql.replace(/\$(\d+)/g, (_m, i) => literal(compiled.parameters[Number(i) - 1]))}`).execute(db);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('message_in_work_idx');
    } finally {
      await sql`RESET enable_seqscan`.execute(db);
    }
  });
});

function literal(value: unknown): string {
  if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
  if (typeof value === 'number') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}
