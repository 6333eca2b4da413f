import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, demoStaffId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { approveAnswer, draftAnswer, returnAnswer, reviseAnswer } from '../messages/answers.service.ts';
import { fileMessage } from '../messages/filing.service.ts';
import { acceptMessage } from '../messages/moderation.service.ts';
import { isOverdue } from '../messages/overdue.ts';
import type { KpiResult } from './engine.ts';
import { INDICATORS } from './indicators/index.ts';
import { AFTER_2026 as AFTER, freshMunicipality, insertMessages, insertResidents, local, type MessageRows, oneKpi } from './tests/kpi-data.ts';

/**
 * An independent audit of the KPI engine against seed 000 (Постановление Администрации Беловского
 * городского округа от 07.11.2025 № 3010-п, the list of indicators): one small month computed by
 * hand, the deadline's edges and the targets as the act states them.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const kpi = (municipalityId: number, n: number, period: string, now = AFTER): Promise<KpiResult> => oneKpi(t.db, municipalityId, n, period, now);

/** A resident of Kemerovo and its moderator, curator and city administration executor (not the УК) as actors. */
async function kemerovoCase() {
  const { db } = t;
  const kemerovo = t.demo.municipalities.Kemerovo;
  const residentId = await registeredResident(db, { municipalityId: kemerovo });
  const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
  const curator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'curator') };
  const executorStaff = await db
    .selectFrom('staff')
    .select('id')
    .where('municipality_id', '=', kemerovo)
    .where('role', '=', 'executor')
    .where('full_name', 'not like', '%УК%')
    .executeTakeFirstOrThrow();
  return { residentId, moderator, curator, executor: { kind: 'staff' as const, staffId: executorStaff.id } };
}

describe('the targets and periods of seed 000, table 2', () => {
  it('are the ones the act states', () => {
    const targets = Object.fromEntries(INDICATORS.map((i) => [i.number, [i.period, i.target]]));
    expect(targets).toEqual({
      1: ['year', { kind: 'min_share', min: 0.25 }],
      2: ['month', { kind: 'min_share', min: 0.15 }],
      3: ['month', { kind: 'min_count', min: 5 }],
      4: ['month', { kind: 'min_count', min: 20 }],
      5: ['month', { kind: 'min_count', min: 50 }],
      6: ['month', { kind: 'min_share', min: 0.45 }],
      7: ['year', { kind: 'max_share', max: 0.003 }],
      8: ['month', { kind: 'min_share', min: 0.7 }],
      9: ['month', { kind: 'min_share', min: 0.7 }],
      10: ['year', { kind: 'min_count', min: 2 }],
      11: ['month', { kind: 'min_share', min: 0.2 }],
      12: ['year', { kind: 'min_count', min: 1 }],
      13: ['year', { kind: 'min_count', min: 1 }],
      14: ['month', { kind: 'range', min: 1, max: 10 }],
      15: ['year', { kind: 'min_count', min: 1 }],
      16: ['month', { kind: 'min_count', min: 20 }],
    });
  });
});

describe('one hand-computed month (November 2026) for KPI 6, 7, 9 and 11', () => {
  it('counts each message where the act puts it', async () => {
    const m = await freshMunicipality(t.db);
    const one = async (rows: Omit<MessageRows, 'count'>) => (await insertMessages(t.db, m, { count: 1, ...rows }))[0]!;
    // A: solved in 4 days, published, 5 stars.
    const a = await one({ status: 'solved', acceptedAt: local('2026-11-01T10:00:00'), closedAt: local('2026-11-05T10:00:00'), published: true, stars: 5 });
    // B: explained at 23:30 local on 30 November (16:30 UTC, still November), 28 days in work: overdue.
    await one({ status: 'explained', acceptedAt: local('2026-11-02T10:00:00'), closedAt: local('2026-11-30T23:30:00'), stars: 4 });
    // C: accepted in October, solved at 00:10 local on 1 December (17:10 UTC on 30 November): December's.
    await one({ status: 'solved', acceptedAt: local('2026-10-25T10:00:00'), closedAt: local('2026-12-01T00:10:00'), stars: 5 });
    // D: rejected at moderation: never in work, counted nowhere.
    await one({ status: 'rejected', createdAt: local('2026-11-03T10:00:00'), acceptedAt: null });
    // E: a duplicate linked to A once in work, closed with A's outcome: counted once, as A.
    const e = await one({ status: 'solved', acceptedAt: local('2026-11-02T11:00:00'), closedAt: local('2026-11-05T10:00:00'), published: true, stars: 5 });
    await sql`UPDATE message SET duplicate_of = ${a} WHERE id = ${e}`.execute(t.db);
    // F: an open-source message (a VK wall post), solved, published, 3 stars: counted like the others.
    const f = await one({ status: 'solved', acceptedAt: local('2026-11-20T10:00:00'), closedAt: local('2026-11-25T10:00:00'), published: true, stars: 3 });
    await sql`UPDATE message SET open_source = true, source = 'vk_wall' WHERE id = ${f}`.execute(t.db);
    // G: in work since 10 November, no intermediate answer: 21 days by the month's end, overdue.
    await one({ status: 'in_work', acceptedAt: local('2026-11-10T10:00:00') });
    // H: in work since 1 November, intermediate answer exactly 14 days later: excused.
    await one({ status: 'in_work', acceptedAt: local('2026-11-01T10:00:00'), firstIntermediateAt: local('2026-11-15T10:00:00') });
    // I: accepted at 23:30 local on 31 October (16:30 UTC): October's for KPI 9, published.
    await one({ status: 'in_work', acceptedAt: local('2026-10-31T23:30:00'), firstIntermediateAt: local('2026-11-02T10:00:00'), published: true });

    // KPI 6: answered in November A, B, F; solved A, F.
    const k6 = await kpi(m, 6, '2026-11');
    expect(k6).toMatchObject({ numerator: 2, denominator: 3, status: 'met' });
    // KPI 11: of A, B, F, rated 4–5: A (5), B (4).
    expect(await kpi(m, 11, '2026-11')).toMatchObject({ numerator: 2, denominator: 3, status: 'met' });
    // KPI 9: accepted in November A, B, F, G, H; published A, F: 40 %.
    expect(await kpi(m, 9, '2026-11')).toMatchObject({ numerator: 2, denominator: 5, value: 0.4, status: 'missed' });
    // KPI 7, the year to the end of November: A, B, C, F, G, H, I in work; overdue B (28 days),
    // C (37 days by 1 December, the measurement's end), G (21 days).
    expect(await kpi(m, 7, '2026-11')).toMatchObject({ numerator: 3, denominator: 7 });
    // C is December's answered message.
    expect(await kpi(m, 6, '2026-12')).toMatchObject({ numerator: 1, denominator: 1 });
  });
});

describe('KPI 7: «в работе дольше 14 дней», excused by an intermediate answer «в эти 14 дней»', () => {
  const accepted = local('2026-04-01T10:00:00');
  const plus = (ms: number) => new Date(accepted.getTime() + ms);
  const DAYS_14 = 14 * 86_400_000;

  it('exactly 14 days is not longer than 14 days; a second more is', async () => {
    const m = await freshMunicipality(t.db);
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: accepted, closedAt: plus(DAYS_14) });
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: accepted, closedAt: plus(DAYS_14 + 1000) });
    // 14 calendar days, whatever the days off in between: 1 May holidays do not stretch it.
    await insertMessages(t.db, m, { count: 1, status: 'explained', acceptedAt: local('2026-04-28T10:00:00'), closedAt: local('2026-05-12T10:00:01') });
    // An intermediate answer at the very end of the 14 days still excuses; a second later does not.
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: accepted, firstIntermediateAt: plus(DAYS_14), closedAt: plus(30 * 86_400_000) });
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: accepted, firstIntermediateAt: plus(DAYS_14 + 1000), closedAt: plus(30 * 86_400_000) });
    expect(await kpi(m, 7, '2026')).toMatchObject({ numerator: 3, denominator: 5, final: true, status: 'missed' });
  });

  it('a message spanning the new year is judged in each year by what happened within it', async () => {
    const m = await freshMunicipality(t.db);
    // Accepted 25 December 2025, closed 10 January 2026 (16 days): not yet overdue at the end of 2025, overdue in 2026.
    await insertMessages(t.db, m, { count: 1, status: 'solved', acceptedAt: local('2025-12-25T10:00:00'), closedAt: local('2026-01-10T10:00:00') });
    expect(await kpi(m, 7, '2025')).toMatchObject({ numerator: 0, denominator: 1 });
    expect(await kpi(m, 7, '2026')).toMatchObject({ numerator: 1, denominator: 1 });
  });

  it('a year with nothing in work has nothing overdue: met', async () => {
    const m = await freshMunicipality(t.db);
    expect(await kpi(m, 7, '2026')).toMatchObject({ value: null, numerator: 0, denominator: 0, status: 'met' });
  });

  it('an intermediate answer returned by the curator is given when the re-sent one is approved', async () => {
    const { db } = t;
    const { residentId, moderator, curator, executor } = await kemerovoCase();
    const pothole = await categoryId(db, 'roads.pothole');
    const day = (n: number, base: Date) => new Date(base.getTime() + n * 86_400_000);

    const ids: number[] = [];
    for (const [drafted, approved] of [
      [12, 14], // drafted on day 12, approved on day 14 (within): excused
      [10, 15], // drafted on day 10, returned, re-sent on day 13, approved on day 15: not given within the 14 days
    ] as const) {
      const filedAt = local('2026-05-04T09:00:00');
      const filed = await fileMessage(db, { residentId, categoryId: pothole, text: `Аудит KPI 7: ${drafted}/${approved}`, point: KEMEROVO_CENTER, channel: 'tg', photos: [] }, filedAt);
      const acceptedAt = local('2026-05-04T10:00:00');
      await acceptMessage(db, { messageId: filed.message.id, actor: moderator }, acceptedAt);
      const draft = await draftAnswer(db, { messageId: filed.message.id, kind: 'intermediate', text: 'Работы запланированы', actor: executor }, day(drafted, acceptedAt));
      if (approved === 15) {
        await returnAnswer(db, { answerId: draft.answer.id, remark: 'Укажите сроки', actor: curator }, day(11, acceptedAt));
        await reviseAnswer(db, { answerId: draft.answer.id, text: 'Работы запланированы на июнь', actor: executor }, day(13, acceptedAt));
      }
      const done = await approveAnswer(db, { answerId: draft.answer.id, actor: curator }, day(approved, acceptedAt));
      expect(done.message.firstIntermediateAt).toEqual(day(approved, acceptedAt));
      expect(isOverdue({ acceptedAt, firstIntermediateAt: done.message.firstIntermediateAt, closedAt: null }, day(20, acceptedAt))).toBe(approved === 15);
      ids.push(filed.message.id);
    }
    // The same two counted by KPI 7 in a municipality of their own.
    const m = await freshMunicipality(db);
    await sql`UPDATE message SET municipality_id = ${m} WHERE id = ANY(${ids}::int[])`.execute(db);
    expect(await kpi(m, 7, '2026')).toMatchObject({ numerator: 1, denominator: 2 });
  });
});

describe('KPI 6: a final answer returned by the curator and re-sent', () => {
  it('counts in the month the curator approved it (the author had no answer before)', async () => {
    const { db } = t;
    const { residentId, moderator, curator, executor } = await kemerovoCase();
    const filed = await fileMessage(
      db,
      { residentId, categoryId: await categoryId(db, 'roads.pothole'), text: 'Аудит KPI 6', point: KEMEROVO_CENTER, channel: 'tg', photos: [] },
      local('2026-11-20T09:00:00'),
    );
    await acceptMessage(db, { messageId: filed.message.id, actor: moderator }, local('2026-11-20T10:00:00'));
    // Drafted on 30 November, returned the same day, re-sent and approved on 1 December (local).
    const draft = await draftAnswer(db, { messageId: filed.message.id, kind: 'final', resolution: 'solved', text: 'Яма заделана', actor: executor }, local('2026-11-30T15:00:00'));
    await returnAnswer(db, { answerId: draft.answer.id, remark: 'Приложите фото', actor: curator }, local('2026-11-30T16:00:00'));
    await reviseAnswer(db, { answerId: draft.answer.id, text: 'Яма заделана, фото в карточке', actor: executor }, local('2026-12-01T09:30:00'));
    await approveAnswer(db, { answerId: draft.answer.id, actor: curator }, local('2026-12-01T10:00:00'));
    const m = await freshMunicipality(db);
    await sql`UPDATE message SET municipality_id = ${m} WHERE id = ${filed.message.id}`.execute(db);
    expect(await kpi(m, 6, '2026-11')).toMatchObject({ numerator: 0, denominator: 0 });
    expect(await kpi(m, 6, '2026-12')).toMatchObject({ numerator: 1, denominator: 1, status: 'met' });
  });
});

describe("KPI 8: the author's comments answered «в месяц»", () => {
  it('a comment of the month is answered by what the officials wrote by its end', async () => {
    const m = await freshMunicipality(t.db);
    const residentId = await registeredResident(t.db, { municipalityId: m });
    const staffId = await demoStaffId(t.db, t.demo.municipalities.Kemerovo, 'moderator');
    const [messageId] = await insertMessages(t.db, m, { count: 1, status: 'in_work', acceptedAt: local('2026-11-01T10:00:00'), authorId: residentId });
    const comment = async (kind: 'resident' | 'staff', atLocal: string, replyTo: number | null = null) =>
      (
        await sql<{ id: number }>`
          INSERT INTO comment (message_id, author_kind, resident_id, staff_id, text, reply_to_id, created_at)
          VALUES (${messageId}, ${kind}, ${kind === 'resident' ? residentId : null}, ${kind === 'staff' ? staffId : null}, 'Текст', ${replyTo}, ${local(atLocal)}) RETURNING id`.execute(t.db)
      ).rows[0]!.id;
    const c1 = await comment('resident', '2026-11-10T10:00:00');
    await comment('staff', '2026-11-10T12:00:00', c1);
    // Written at 23:00 local on 30 November, answered at 09:00 on 1 December.
    const c2 = await comment('resident', '2026-11-30T23:00:00');
    await comment('staff', '2026-12-01T09:00:00', c2);
    expect(await kpi(m, 8, '2026-11')).toMatchObject({ numerator: 1, denominator: 2 });
  });
});

describe('KPI 14 over a year: «не менее 1 и не более 10 единиц наружной рекламы в месяц»', () => {
  async function place(m: number, starts: string, ends: string) {
    await t.db.insertInto('kpi_placement').values({ municipality_id: m, address: 'пр. Ленина, 1', starts_on: starts, ends_on: ends, media_id: null, created_by: null, created_at: AFTER }).execute();
  }

  it('a year whose every month had one unit on display is met; one month without any is missed', async () => {
    const m = await freshMunicipality(t.db);
    // Four units of three months each, one after the other: one unit on display in every month.
    await place(m, '2026-01-01', '2026-03-31');
    await place(m, '2026-04-01', '2026-06-30');
    await place(m, '2026-07-01', '2026-09-30');
    await place(m, '2026-10-01', '2026-12-31');
    for (const month of ['2026-01', '2026-05', '2026-12']) expect(await kpi(m, 14, month)).toMatchObject({ numerator: 1, status: 'met' });
    const year = await kpi(m, 14, '2026');
    expect(year).toMatchObject({ status: 'met', violations: [] });

    const gap = await freshMunicipality(t.db);
    await place(gap, '2026-01-01', '2026-03-31');
    await place(gap, '2026-04-01', '2026-06-30');
    await place(gap, '2026-08-01', '2026-10-31');
    await place(gap, '2026-10-01', '2026-12-31');
    expect(await kpi(gap, 14, '2026-07')).toMatchObject({ numerator: 0, status: 'missed' });
    const gapYear = await kpi(gap, 14, '2026');
    expect(gapYear.status).toBe('missed');
    expect(gapYear.violations).toEqual([expect.objectContaining({ rule: 'month_out_of_range', month: '2026-07', units: 0 })]);
  });
});

describe('KPI 2 over a year: «Доля аудитории на Платформе … в месяц — не менее 15%»', () => {
  /** 100 residents registered before the year; in each month of 2026 `perMonth(i)` of them active, different ones each month. */
  async function year(perMonth: (month: number) => number): Promise<number> {
    const m = await freshMunicipality(t.db);
    const residents = await insertResidents(t.db, m, 100, local('2025-12-01T10:00:00'));
    let next = 0;
    for (let month = 1; month <= 12; month++) {
      const day = `2026-${String(month).padStart(2, '0')}-10`;
      for (let i = 0; i < perMonth(month); i++) {
        const id = residents[next++ % residents.length]!;
        await t.db
          .insertInto('resident_activity')
          .values({ resident_id: id, day, channel: 'tg', municipality_id: m, first_at: local(`${day}T10:00:00`) })
          .execute();
      }
    }
    return m;
  }

  it('ten different residents a month (10 % every month) is missed, though 100 % were active some time in the year', async () => {
    const m = await year(() => 10);
    expect(await kpi(m, 2, '2026-03')).toMatchObject({ numerator: 10, denominator: 100, status: 'missed' });
    const r = await kpi(m, 2, '2026');
    expect(r.status).toBe('missed');
    expect(r.value).toBeCloseTo(0.1, 9);
    expect(r.violations).toHaveLength(12);
  });

  it('15 % in every month is met; one month at 14 % is missed and named', async () => {
    expect(await kpi(await year(() => 15), 2, '2026')).toMatchObject({ value: 0.15, status: 'met', violations: [] });
    const r = await kpi(await year((month) => (month === 7 ? 14 : 15)), 2, '2026');
    expect(r.status).toBe('missed');
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'month_below_target', month: '2026-07', active: 14, registered: 100 })]);
  });
});

describe('yearly boundaries and rounding', () => {
  it("KPI 12: a collection opened at 00:30 on 1 January local (17:30 UTC on 31 December) is the new year's", async () => {
    const m = await freshMunicipality(t.db);
    const line = (opened: Date) =>
      sql`INSERT INTO direct_line (municipality_id, title, head_name, collect_from, collect_to, broadcast_on, opened_at)
          VALUES (${m}, 'Прямая линия', 'Глава', ${opened}, ${local('2027-01-20T00:00:00')}, '2027-01-25', ${opened})`.execute(t.db);
    await line(local('2027-01-01T00:30:00'));
    expect(await kpi(m, 12, '2026', local('2027-02-01T12:00:00'))).toMatchObject({ numerator: 0, status: 'missed' });
    expect(await kpi(m, 12, '2027', local('2027-02-01T12:00:00'))).toMatchObject({ numerator: 1, status: 'met', final: false });
    await line(local('2026-12-31T23:30:00'));
    expect(await kpi(m, 12, '2026', local('2027-02-01T12:00:00'))).toMatchObject({ numerator: 1, status: 'met' });
  });

  it('KPI 1: 25 % of 1001 is 250.25 people, so 250 registered fall short and 251 reach it (no rounding down)', async () => {
    const short = await freshMunicipality(t.db, 1001);
    await insertResidents(t.db, short, 250, local('2026-05-01T10:00:00'));
    expect(await kpi(short, 1, '2026')).toMatchObject({ numerator: 250, denominator: 1001, status: 'missed' });
    const enough = await freshMunicipality(t.db, 1001);
    await insertResidents(t.db, enough, 251, local('2026-05-01T10:00:00'));
    expect(await kpi(enough, 1, '2026')).toMatchObject({ numerator: 251, status: 'met' });
  });
});
