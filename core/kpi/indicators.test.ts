import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { computeKpis, type KpiResult } from './engine.ts';
import { GRACE_FRACTION, judgeOne } from './status.ts';
import { AFTER_2026 as AFTER, freshMunicipality, insertMessages, insertResidents, local, oneKpi } from './tests/kpi-data.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const kpi = (municipalityId: number, n: number, period: string, now = AFTER): Promise<KpiResult> => oneKpi(t.db, municipalityId, n, period, now);

describe('KPI 6: solved among answered in the month (≥ 45 %)', () => {
  it('44.9 % is missed, 45 % is met', async () => {
    const below = await freshMunicipality(t.db);
    await insertMessages(t.db, below, { count: 449, status: 'solved', acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-10T10:00:00') });
    await insertMessages(t.db, below, { count: 551, status: 'explained', acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-10T10:00:00') });
    const r1 = await kpi(below, 6, '2026-10');
    expect(r1).toMatchObject({ numerator: 449, denominator: 1000, status: 'missed', final: true });
    expect(r1.value).toBeCloseTo(0.449, 6);

    const edge = await freshMunicipality(t.db);
    await insertMessages(t.db, edge, { count: 9, status: 'solved', acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-10T10:00:00') });
    await insertMessages(t.db, edge, { count: 11, status: 'explained', acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-10T10:00:00') });
    expect(await kpi(edge, 6, '2026-10')).toMatchObject({ numerator: 9, denominator: 20, value: 0.45, status: 'met' });
  });

  it("counts a message in the month of its closing in the municipality's time zone", async () => {
    const m = await freshMunicipality(t.db);
    // 23:59:59 local on 31 October is October; 00:00 local on 1 November (17:00 UTC on the 31st) is November.
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-31T23:59:59') });
    await insertMessages(t.db, m, { count: 1, status: 'explained', acceptedAt: local('2026-10-01T10:00:00'), closedAt: new Date('2026-10-31T17:00:00Z') });
    expect(await kpi(m, 6, '2026-10')).toMatchObject({ numerator: 1, denominator: 1 });
    expect(await kpi(m, 6, '2026-11')).toMatchObject({ numerator: 0, denominator: 1 });
  });

  it('an empty month has no value: missed when closed, on track while running', async () => {
    const m = await freshMunicipality(t.db);
    expect(await kpi(m, 6, '2026-10')).toMatchObject({ value: null, status: 'missed' });
    expect(await kpi(m, 6, '2026-10', local('2026-10-20T12:00:00'))).toMatchObject({ value: null, status: 'on_track', final: false });
  });
});

describe('KPI 7: overdue among messages in work in the year (≤ 0.3 %)', () => {
  const accepted = local('2026-03-01T10:00:00');
  const day = (n: number) => new Date(accepted.getTime() + n * 86_400_000);

  it('applies the 14-day rule with and without an intermediate answer', async () => {
    const m = await freshMunicipality(t.db);
    // Closed on day 13: never overdue. Open past day 14 with an intermediate answer on day 10: excused.
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: accepted, closedAt: day(13) });
    await insertMessages(t.db, m, { count: 1, status: 'in_work', acceptedAt: accepted, firstIntermediateAt: day(10) });
    // Intermediate answer on day 15 (too late), and none at all: overdue; closed on day 20: overdue.
    await insertMessages(t.db, m, { count: 1, status: 'in_work', acceptedAt: accepted, firstIntermediateAt: day(15) });
    await insertMessages(t.db, m, { count: 1, status: 'in_work', acceptedAt: accepted });
    await insertMessages(t.db, m, { count: 1, status: 'explained', acceptedAt: accepted, closedAt: day(20) });
    // Closed in 2025: not in work during 2026; never accepted: not in work at all.
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: local('2025-06-01T10:00:00'), closedAt: local('2025-08-01T10:00:00') });
    await insertMessages(t.db, m, { count: 1, status: 'new', createdAt: accepted, acceptedAt: null });
    expect(await kpi(m, 7, '2026')).toMatchObject({ numerator: 3, denominator: 5, status: 'missed' });
  });

  it('0.3 % is met, 0.4 % is missed', async () => {
    const ok = await freshMunicipality(t.db);
    await insertMessages(t.db, ok, { count: 997, status: 'solved', acceptedAt: accepted, closedAt: day(3) });
    await insertMessages(t.db, ok, { count: 3, status: 'solved', acceptedAt: accepted, closedAt: day(15) });
    expect(await kpi(ok, 7, '2026')).toMatchObject({ numerator: 3, denominator: 1000, value: 0.003, status: 'met' });
    const bad = await freshMunicipality(t.db);
    await insertMessages(t.db, bad, { count: 996, status: 'solved', acceptedAt: accepted, closedAt: day(3) });
    await insertMessages(t.db, bad, { count: 4, status: 'solved', acceptedAt: accepted, closedAt: day(15) });
    expect(await kpi(bad, 7, '2026')).toMatchObject({ numerator: 4, denominator: 1000, status: 'missed' });
  });

  it('a message still in work at the end of a past year was overdue by then, not by today', async () => {
    const m = await freshMunicipality(t.db);
    // Accepted on 25 December 2026: by 1 January 2027 (local) it was 7 days in work, not overdue.
    await insertMessages(t.db, m, { count: 1, status: 'in_work', acceptedAt: local('2026-12-25T10:00:00') });
    expect(await kpi(m, 7, '2026', local('2027-03-01T10:00:00'))).toMatchObject({ numerator: 0, denominator: 1, status: 'met' });
  });
});

describe("KPI 8: the author's comments answered in the month (≥ 70 %)", () => {
  async function comments(m: number, answered: number, unanswered: number) {
    const [author] = await insertResidents(t.db, m, 1, local('2026-01-01T10:00:00'));
    const [other] = await insertResidents(t.db, m, 1, local('2026-01-01T10:00:00'));
    const staff = (await t.db.insertInto('staff').values({ full_name: 'Модератор', role: 'moderator', municipality_id: m, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
    const [messageId] = await insertMessages(t.db, m, { count: 1, authorId: author!, acceptedAt: local('2026-10-01T10:00:00') });
    const at = local('2026-10-05T10:00:00');
    for (let i = 0; i < answered + unanswered; i++) {
      const c = await t.db
        .insertInto('comment')
        .values({ message_id: messageId!, author_kind: 'resident', resident_id: author!, text: `уточнение ${i}`, created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (i < answered)
        await t.db
          .insertInto('comment')
          .values({ message_id: messageId!, author_kind: 'staff', staff_id: staff, text: 'ответ', reply_to_id: c.id, created_at: new Date(at.getTime() + 3_600_000) })
          .execute();
    }
    // Another resident's comment is not the author's: it does not count.
    await t.db.insertInto('comment').values({ message_id: messageId!, author_kind: 'resident', resident_id: other!, text: 'я тоже', created_at: at }).execute();
  }

  it('7 of 10 answered is met, 6 of 10 is missed', async () => {
    const ok = await freshMunicipality(t.db);
    await comments(ok, 7, 3);
    expect(await kpi(ok, 8, '2026-10')).toMatchObject({ numerator: 7, denominator: 10, status: 'met' });
    const bad = await freshMunicipality(t.db);
    await comments(bad, 6, 4);
    expect(await kpi(bad, 8, '2026-10')).toMatchObject({ numerator: 6, denominator: 10, status: 'missed' });
  });

  it("the body's approved answer after the comment answers it too; a draft, a clarification request or an answer from before do not", async () => {
    const m = await freshMunicipality(t.db);
    const [author] = await insertResidents(t.db, m, 1, local('2026-01-01T10:00:00'));
    const staff = (await t.db.insertInto('staff').values({ full_name: 'Исполнитель', role: 'moderator', municipality_id: m, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
    const comment = (messageId: number, at: string) =>
      t.db
        .insertInto('comment')
        .values({ message_id: messageId, author_kind: 'resident', resident_id: author!, text: 'уточнение', created_at: local(at) })
        .execute();
    const answer = (messageId: number, kind: 'intermediate' | 'final' | 'clarification', state: 'draft' | 'approved' | 'delivered', approvedAt: string | null) =>
      t.db
        .insertInto('answer')
        .values({
          message_id: messageId,
          kind,
          resolution: kind === 'final' ? 'solved' : null,
          text: 'Ответ',
          state,
          author_staff_id: staff,
          approved_by: approvedAt === null ? null : staff,
          approved_at: approvedAt === null ? null : local(approvedAt),
          created_at: local('2026-10-01T10:00:00'),
          updated_at: local('2026-10-01T10:00:00'),
        })
        .execute();
    const messages = await Promise.all(Array.from({ length: 6 }, () => insertMessages(t.db, m, { count: 1, authorId: author!, acceptedAt: local('2026-10-01T10:00:00') }).then(([id]) => id!)));
    for (const id of messages) await comment(id, '2026-10-05T10:00:00');
    await answer(messages[0]!, 'intermediate', 'approved', '2026-10-05T12:00:00');
    await answer(messages[1]!, 'final', 'delivered', '2026-10-06T09:00:00');
    await answer(messages[2]!, 'intermediate', 'draft', null);
    await answer(messages[3]!, 'clarification', 'approved', '2026-10-05T12:00:00');
    await answer(messages[4]!, 'intermediate', 'approved', '2026-10-04T12:00:00');
    // Approved after the measurement: not yet an answer.
    await answer(messages[5]!, 'intermediate', 'approved', '2026-10-20T12:00:00');
    expect(await kpi(m, 8, '2026-10', local('2026-10-10T10:00:00'))).toMatchObject({ numerator: 2, denominator: 6 });
    expect(await kpi(m, 8, '2026-10')).toMatchObject({ numerator: 3, denominator: 6 });
  });
});

describe('KPI 9: published among accepted in the month (≥ 70 %)', () => {
  it('70 % is met, 69 % is missed', async () => {
    const ok = await freshMunicipality(t.db);
    await insertMessages(t.db, ok, { count: 7, published: true, acceptedAt: local('2026-10-03T10:00:00') });
    await insertMessages(t.db, ok, { count: 3, published: false, acceptedAt: local('2026-10-03T10:00:00') });
    expect(await kpi(ok, 9, '2026-10')).toMatchObject({ numerator: 7, denominator: 10, status: 'met' });
    const bad = await freshMunicipality(t.db);
    await insertMessages(t.db, bad, { count: 69, published: true, acceptedAt: local('2026-10-03T10:00:00') });
    await insertMessages(t.db, bad, { count: 31, published: false, acceptedAt: local('2026-10-03T10:00:00') });
    expect(await kpi(bad, 9, '2026-10')).toMatchObject({ numerator: 69, denominator: 100, status: 'missed' });
  });
});

describe('KPI 11: rated 4–5 among answered in the month (≥ 20 %)', () => {
  it('1 of 5 is met; 3-star ratings do not count', async () => {
    const m = await freshMunicipality(t.db);
    const closed = { status: 'solved' as const, acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-02T10:00:00') };
    await insertMessages(t.db, m, { ...closed, count: 1, stars: 4 });
    await insertMessages(t.db, m, { ...closed, count: 2, stars: 3 });
    await insertMessages(t.db, m, { ...closed, count: 2, stars: null });
    expect(await kpi(m, 11, '2026-10')).toMatchObject({ numerator: 1, denominator: 5, value: 0.2, status: 'met' });
    const bad = await freshMunicipality(t.db);
    await insertMessages(t.db, bad, { ...closed, count: 1, stars: 5 });
    await insertMessages(t.db, bad, { ...closed, count: 5, stars: 2 });
    expect(await kpi(bad, 11, '2026-10')).toMatchObject({ numerator: 1, denominator: 6, status: 'missed' });
  });

  it("counts only the stars given within the month (Kuzbass time): a rating after the month's end is not the month's", async () => {
    const m = await freshMunicipality(t.db);
    const closed = { status: 'solved' as const, acceptedAt: local('2026-10-01T10:00:00'), closedAt: local('2026-10-30T10:00:00') };
    // The last second of October in Kuzbass (17:59:59 UTC) counts; 1 November 00:00 local (still 31 October in UTC) does not.
    await insertMessages(t.db, m, { ...closed, count: 1, stars: 5, ratedAt: local('2026-10-31T23:59:59') });
    await insertMessages(t.db, m, { ...closed, count: 1, stars: 5, ratedAt: local('2026-11-01T00:00:00') });
    await insertMessages(t.db, m, { ...closed, count: 1, stars: 4, ratedAt: local('2026-12-05T12:00:00') });
    await insertMessages(t.db, m, { ...closed, count: 2, stars: null });
    expect(await kpi(m, 11, '2026-10')).toMatchObject({ numerator: 1, denominator: 5, value: 0.2 });
    // Measured during the month: stars given after the measurement are not counted either.
    const running = await freshMunicipality(t.db);
    await insertMessages(t.db, running, { ...closed, count: 1, stars: 5, ratedAt: local('2026-10-30T12:00:00') });
    expect(await kpi(running, 11, '2026-10', local('2026-10-30T11:00:00'))).toMatchObject({ numerator: 0, denominator: 1 });
    expect(await kpi(running, 11, '2026-10', local('2026-10-30T13:00:00'))).toMatchObject({ numerator: 1, denominator: 1 });
  });
});

describe('KPI 1: registered vs 25 % of the population over 14, then +2 % a year', () => {
  it('coverage: 249 of 1000 is missed, 250 is met', async () => {
    const bad = await freshMunicipality(t.db, 1000);
    await insertResidents(t.db, bad, 249, local('2026-05-01T10:00:00'));
    await insertResidents(t.db, bad, 5, null);
    expect(await kpi(bad, 1, '2026')).toMatchObject({ numerator: 249, denominator: 1000, status: 'missed', details: { phase: 'coverage' } });
    const ok = await freshMunicipality(t.db, 1000);
    await insertResidents(t.db, ok, 250, local('2026-05-01T10:00:00'));
    expect(await kpi(ok, 1, '2026')).toMatchObject({ numerator: 250, status: 'met' });
  });

  it('growth, once 25 % was reached before the year: 19 new of 1000 is missed, 20 is met', async () => {
    const bad = await freshMunicipality(t.db, 1000);
    await insertResidents(t.db, bad, 250, local('2025-05-01T10:00:00'));
    await insertResidents(t.db, bad, 19, local('2026-05-01T10:00:00'));
    expect(await kpi(bad, 1, '2026')).toMatchObject({ numerator: 19, denominator: 1000, target: { kind: 'min_share', min: 0.02 }, status: 'missed', details: { phase: 'growth' } });
    const ok = await freshMunicipality(t.db, 1000);
    await insertResidents(t.db, ok, 250, local('2025-05-01T10:00:00'));
    await insertResidents(t.db, ok, 20, local('2026-12-31T23:59:00'));
    expect(await kpi(ok, 1, '2026')).toMatchObject({ numerator: 20, status: 'met' });
  });

  it('projects the year from the registrations so far', async () => {
    const m = await freshMunicipality(t.db, 1000);
    await insertResidents(t.db, m, 100, local('2025-06-01T10:00:00'));
    await insertResidents(t.db, m, 50, local('2026-02-01T10:00:00'));
    // Mid-year (about half elapsed): 100 + 50 / ~0.5 ≈ 200 < 250, at risk.
    const r = await kpi(m, 1, '2026', local('2026-07-02T12:00:00'));
    expect(r.status).toBe('at_risk');
    expect(r.projection).toBeGreaterThan(0.19);
    expect(r.projection).toBeLessThan(0.21);
  });
});

describe('KPI 2: monthly audience (≥ 15 % of registered)', () => {
  it('15 of 100 is met, 14 is missed; days are local', async () => {
    for (const [active, status] of [
      [15, 'met'],
      [14, 'missed'],
    ] as const) {
      const m = await freshMunicipality(t.db);
      const residents = await insertResidents(t.db, m, 100, local('2026-01-01T10:00:00'));
      for (const id of residents.slice(0, active)) {
        await t.db
          .insertInto('resident_activity')
          .values({ resident_id: id, day: '2026-10-31', channel: 'tg', municipality_id: m, first_at: local('2026-10-31T23:00:00') })
          .execute();
      }
      // A second channel the same month is the same resident; a day of November is not October.
      await t.db
        .insertInto('resident_activity')
        .values({ resident_id: residents[0]!, day: '2026-10-15', channel: 'vk', municipality_id: m, first_at: local('2026-10-15T10:00:00') })
        .execute();
      await t.db
        .insertInto('resident_activity')
        .values({ resident_id: residents[99]!, day: '2026-11-01', channel: 'tg', municipality_id: m, first_at: local('2026-11-01T00:10:00') })
        .execute();
      expect(await kpi(m, 2, '2026-10')).toMatchObject({ numerator: active, denominator: 100, status });
    }
  });
});

describe('KPI 14: outdoor advertising, 1–10 units a month, each ≥ 3 months', () => {
  // Each unit at an address of its own: the same address over the same days is one unit (kpi_placement_unit_key).
  let house = 0;
  async function place(m: number, starts: string, ends: string) {
    await t.db
      .insertInto('kpi_placement')
      .values({ municipality_id: m, address: `ул. Весенняя, ${++house}`, starts_on: starts, ends_on: ends, media_id: null, created_by: null, created_at: AFTER })
      .execute();
  }

  it('89 days are three months from 1 February, not from 1 March', async () => {
    const feb = await freshMunicipality(t.db);
    await place(feb, '2026-02-01', '2026-04-30');
    expect(await kpi(feb, 14, '2026-03')).toMatchObject({ numerator: 1, status: 'met' });
    const mar = await freshMunicipality(t.db);
    await place(mar, '2026-03-01', '2026-05-28');
    const r = await kpi(mar, 14, '2026-04');
    expect(r).toMatchObject({ numerator: 0, status: 'missed' });
    expect(r.details.notCounted).toEqual([expect.objectContaining({ rule: 'placement_shorter_than_3_months', days: 89 })]);
  });

  it('10 units are met, 11 are too many; a unit counts in every month it is on display', async () => {
    const ten = await freshMunicipality(t.db);
    for (let i = 0; i < 10; i++) await place(ten, '2026-01-15', '2026-06-30');
    expect(await kpi(ten, 14, '2026-06')).toMatchObject({ numerator: 10, status: 'met' });
    expect(await kpi(ten, 14, '2026-07')).toMatchObject({ numerator: 0, status: 'missed' });
    await place(ten, '2026-06-30', '2026-12-31');
    expect(await kpi(ten, 14, '2026-06')).toMatchObject({ numerator: 11, status: 'missed' });
  });
});

describe('KPI 16: publications about the platform (≥ 20 a month)', () => {
  it('19 is missed, 20 is met; the date is local', async () => {
    const m = await freshMunicipality(t.db);
    for (let i = 0; i < 19; i++)
      await t.db
        .insertInto('kpi_publication')
        .values({
          municipality_id: m,
          url: `https://news.example/${m}/${i}`,
          canonical_url: `https://news.example/${m}/${i}`,
          outlet: 'Газета',
          published_on: '2026-10-31',
          created_by: null,
          created_at: AFTER,
        })
        .execute();
    await t.db
      .insertInto('kpi_publication')
      .values({
        municipality_id: m,
        url: `https://news.example/${m}/nov`,
        canonical_url: `https://news.example/${m}/nov`,
        outlet: 'Газета',
        published_on: '2026-11-01',
        created_by: null,
        created_at: AFTER,
      })
      .execute();
    expect(await kpi(m, 16, '2026-10')).toMatchObject({ numerator: 19, status: 'missed' });
    await t.db
      .insertInto('kpi_publication')
      .values({
        municipality_id: m,
        url: `https://news.example/${m}/last`,
        canonical_url: `https://news.example/${m}/last`,
        outlet: 'Сайт администрации',
        published_on: '2026-10-01',
        created_by: null,
        created_at: AFTER,
      })
      .execute();
    expect(await kpi(m, 16, '2026-10')).toMatchObject({ numerator: 20, status: 'met' });
  });

  it('a month in progress is on track or at risk by its linear projection', async () => {
    const m = await freshMunicipality(t.db);
    for (let i = 0; i < 9; i++)
      await t.db
        .insertInto('kpi_publication')
        .values({ municipality_id: m, url: `https://p.example/${m}/${i}`, canonical_url: `https://p.example/${m}/${i}`, outlet: 'ТВ', published_on: '2026-11-02', created_by: null, created_at: AFTER })
        .execute();
    // 16 November 00:00 local: half of November gone, 9 → 18 projected < 20.
    const half = await kpi(m, 16, '2026-11', local('2026-11-16T00:00:00'));
    expect(half).toMatchObject({ status: 'at_risk', final: false, projection: 18 });
    await t.db
      .insertInto('kpi_publication')
      .values({ municipality_id: m, url: `https://p.example/${m}/x`, canonical_url: `https://p.example/${m}/x`, outlet: 'ТВ', published_on: '2026-11-03', created_by: null, created_at: AFTER })
      .execute();
    expect(await kpi(m, 16, '2026-11', local('2026-11-16T00:00:00'))).toMatchObject({ status: 'on_track', projection: 20 });
  });
});

describe('the status rule', () => {
  const m = { numerator: 0, denominator: null, accumulates: { base: 0 } };
  it('does not call a shortfall at risk in the first quarter of a period', () => {
    expect(judgeOne({ kind: 'min_count', min: 20 }, m, 0, GRACE_FRACTION - 0.01, false).status).toBe('on_track');
    expect(judgeOne({ kind: 'min_count', min: 20 }, m, 0, GRACE_FRACTION, false).status).toBe('at_risk');
  });
  it('a reached count is met before the period ends; a ratio is only on track', () => {
    expect(judgeOne({ kind: 'min_count', min: 5 }, m, 5, 0.5, false).status).toBe('met');
    expect(judgeOne({ kind: 'min_share', min: 0.45 }, { numerator: 5, denominator: 10 }, 5, 0.5, false).status).toBe('on_track');
    expect(judgeOne({ kind: 'max_share', max: 0.003 }, { numerator: 1, denominator: 10 }, 1, 0.5, false).status).toBe('at_risk');
  });
});

describe('a period must be a month or a year', () => {
  it('refuses anything else', async () => {
    await expect(computeKpis(t.db, t.demo.municipalities.Kemerovo, '2026-13', AFTER)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(computeKpis(t.db, t.demo.municipalities.Kemerovo, '2026-W01', AFTER)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
  it('reports the trend against the previous period', async () => {
    const m = await freshMunicipality(t.db);
    await insertMessages(t.db, m, { count: 1, published: true, acceptedAt: local('2026-09-03T10:00:00') });
    await insertMessages(t.db, m, { count: 1, published: false, acceptedAt: local('2026-09-03T10:00:00') });
    await insertMessages(t.db, m, { count: 3, published: true, acceptedAt: local('2026-10-03T10:00:00') });
    await insertMessages(t.db, m, { count: 1, published: false, acceptedAt: local('2026-10-03T10:00:00') });
    const [r] = await computeKpis(t.db, m, '2026-10', AFTER, { kpis: [9] });
    expect(r!.trend).toMatchObject({ previousPeriod: '2026-09', previousValue: 0.5, delta: 0.25, direction: 'up', improving: true });
  });
});
