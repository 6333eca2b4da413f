import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import type { KpiResult } from './engine.ts';
import { AFTER_2026 as AFTER, freshMunicipality, local, oneKpi } from './tests/kpi-data.ts';

/** Indicators 3, 4, 5, 10, 12, 13, 15 on the tables of the polls, news and contests modules. */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

async function kpi(municipalityId: number, n: number, period: string, now = AFTER): Promise<KpiResult> {
  const r = await oneKpi(t.db, municipalityId, n, period, now);
  expect(r.available).toBe(true);
  return r;
}

async function poll(m: number, startsLocal: string, state = 'published') {
  const startsAt = local(startsLocal);
  const row = await sql<{ id: number }>`
    INSERT INTO poll (municipality_id, kind, state, title, starts_at, ends_at, published_at)
    VALUES (${m}, 'poll', ${state}, 'Опрос', ${startsAt}, ${new Date(startsAt.getTime() + 3 * 86_400_000)}, ${state === 'draft' ? null : startsAt}) RETURNING id`.execute(t.db);
  return row.rows[0]!.id;
}

async function news(m: number, publishedLocal: string, state = 'published') {
  const row = await sql<{ id: number }>`
    INSERT INTO news_item (municipality_id, state, title, body, published_at)
    VALUES (${m}, ${state}, 'Новость', 'Текст', ${state === 'draft' ? null : local(publishedLocal)}) RETURNING id`.execute(t.db);
  return row.rows[0]!.id;
}

async function events(m: number, kind: 'culture' | 'sport', count: number, publishedLocal = '2026-11-10T10:00:00', state = 'published') {
  const at = local(publishedLocal);
  await sql`
    INSERT INTO afisha_event (municipality_id, kind, state, title, starts_at, ends_at, venue_name, venue_address, venue_lat, venue_lon, published_at)
    SELECT ${m}, ${kind}, ${state}, 'Событие ' || g, ${at}::timestamptz + interval '10 days', ${at}::timestamptz + interval '10 days 2 hours', 'ДК', 'ул. Ленина, 1', 55.35, 86.08, ${at}
    FROM generate_series(1, ${count}) g`.execute(t.db);
}

async function contest(m: number, fields: { entryKind?: string; from?: string; to?: string; prizes?: string | null; published?: string; state?: string }) {
  const from = local(fields.from ?? '2026-03-01T00:00:00');
  const to = local(fields.to ?? '2026-03-25T00:00:00');
  await sql`
    INSERT INTO contest (municipality_id, state, title, organiser, terms, prizes, drawing_format, winners_count, entry_kind, entries_from, entries_to, voting_from, voting_to, results_on, published_at)
    VALUES (${m}, ${fields.state ?? 'results_published'}, 'Конкурс', 'Управление культуры', 'Условия участия', ${fields.prizes === undefined ? 'Грамота и подарок' : fields.prizes}, 'audience_vote', 3,
            ${fields.entryKind ?? 'photo'}, ${from}, ${new Date(from.getTime() + 7 * 86_400_000)}, ${new Date(from.getTime() + 8 * 86_400_000)}, ${to}, ${to}, ${local(fields.published ?? '2026-02-25T10:00:00')})`.execute(
    t.db,
  );
}

describe('KPI 3: polls and votes per month (≥ 5, every week, never two a day)', () => {
  // November 2026's weeks by their Thursday: 2–8, 9–15, 16–22, 23–29.
  it('five polls, one every week, none on the same day: met', async () => {
    const m = await freshMunicipality(t.db);
    for (const d of ['03', '10', '17', '24', '27']) await poll(m, `2026-11-${d}T10:00:00`);
    await poll(m, '2026-11-05T10:00:00', 'draft');
    expect(await kpi(m, 3, '2026-11')).toMatchObject({ numerator: 5, status: 'met', violations: [] });
  });

  it('two on one day, or a week without one: missed, with the violation reported', async () => {
    const twice = await freshMunicipality(t.db);
    for (const d of ['03T10', '03T15', '10T10', '17T10', '24T10']) await poll(twice, `2026-11-${d}:00:00`);
    expect(await kpi(twice, 3, '2026-11')).toMatchObject({ numerator: 5, status: 'missed', violations: [{ rule: 'two_in_a_day', day: '2026-11-03', count: 2 }] });
    const gap = await freshMunicipality(t.db);
    for (const d of ['03', '04', '10', '11', '24']) await poll(gap, `2026-11-${d}T10:00:00`);
    expect(await kpi(gap, 3, '2026-11')).toMatchObject({ numerator: 5, status: 'missed', violations: [{ rule: 'week_without_poll', weekStart: '2026-11-16', weekEnd: '2026-11-22' }] });
  });

  it('a poll closed before it started was never held: it does not count, nor fill its week', async () => {
    const m = await freshMunicipality(t.db);
    for (const d of ['03', '10', '17', '24', '27']) await poll(m, `2026-11-${d}T10:00:00`);
    const never = await poll(m, '2026-11-25T10:00:00', 'closed');
    await sql`UPDATE poll SET closed_at = ${local('2026-11-20T10:00:00')} WHERE id = ${never}`.execute(t.db);
    expect(await kpi(m, 3, '2026-11')).toMatchObject({ numerator: 5, violations: [] });
    await sql`UPDATE poll SET closed_at = ${local('2026-11-25T12:00:00')} WHERE id = ${never}`.execute(t.db);
    expect(await kpi(m, 3, '2026-11')).toMatchObject({ numerator: 6 });
  });

  it('a week still running is not judged yet', async () => {
    const m = await freshMunicipality(t.db);
    for (const d of ['03', '10']) await poll(m, `2026-11-${d}T10:00:00`);
    // Friday 20 November: the week of the 16th is not over.
    const r = await kpi(m, 3, '2026-11', local('2026-11-20T12:00:00'));
    expect(r.violations).toEqual([]);
    expect(r.final).toBe(false);
  });
});

describe('KPI 4: news per month (≥ 20)', () => {
  it('20 published (archived since counts) is met, 19 is missed; drafts and other months do not count', async () => {
    const m = await freshMunicipality(t.db);
    for (let i = 0; i < 18; i++) await news(m, '2026-11-10T10:00:00');
    await news(m, '2026-11-30T23:59:00', 'archived');
    await news(m, '2026-11-10T10:00:00', 'draft');
    await news(m, '2026-12-01T00:00:00');
    expect(await kpi(m, 4, '2026-11')).toMatchObject({ numerator: 19, status: 'missed' });
    await news(m, '2026-11-01T00:00:00');
    expect(await kpi(m, 4, '2026-11')).toMatchObject({ numerator: 20, status: 'met' });
  });
});

describe('KPI 5: events per month (≥ 40 cultural and ≥ 10 sport)', () => {
  it('40 + 10 is met; 40 + 9 misses the sport part; cancelled ones do not count', async () => {
    const ok = await freshMunicipality(t.db);
    await events(ok, 'culture', 40);
    await events(ok, 'sport', 10);
    expect(await kpi(ok, 5, '2026-11')).toMatchObject({
      numerator: 50,
      status: 'met',
      parts: [
        { name: 'culture', numerator: 40, status: 'met' },
        { name: 'sport', numerator: 10, status: 'met' },
      ],
    });
    const bad = await freshMunicipality(t.db);
    await events(bad, 'culture', 45);
    await events(bad, 'sport', 9);
    await events(bad, 'sport', 3, '2026-11-10T10:00:00', 'cancelled');
    expect(await kpi(bad, 5, '2026-11')).toMatchObject({
      numerator: 54,
      status: 'missed',
      parts: [
        { name: 'culture', status: 'met' },
        { name: 'sport', numerator: 9, status: 'missed' },
      ],
    });
  });
});

describe('KPI 10: contests a year (≥ 2, each ≤ 1 month, every attribute)', () => {
  it('two valid contests are met; one a day longer than a month or without a prize does not count', async () => {
    const ok = await freshMunicipality(t.db);
    await contest(ok, {});
    await contest(ok, { from: '2026-05-01T00:00:00', to: '2026-06-01T00:00:00', published: '2026-04-28T10:00:00' });
    expect(await kpi(ok, 10, '2026')).toMatchObject({ numerator: 2, status: 'met' });
    const bad = await freshMunicipality(t.db);
    await contest(bad, {});
    await contest(bad, { from: '2026-05-01T00:00:00', to: '2026-06-02T00:00:00' });
    await contest(bad, { prizes: null });
    await contest(bad, { state: 'draft' });
    // A contest withdrawn after publication (by mistake, called off) was never held.
    await contest(bad, { state: 'withdrawn' });
    const r = await kpi(bad, 10, '2026');
    expect(r).toMatchObject({ numerator: 1, status: 'missed' });
    expect((r.details.notCounted as { rule: string }[]).map((v) => v.rule).sort()).toEqual(['contest_longer_than_a_month', 'contest_missing_attributes']);
  });
});

describe('KPI 12: direct-line collections a year (≥ 1)', () => {
  it('one opened in the year is met; one not opened, or withdrawn, is not', async () => {
    const m = await freshMunicipality(t.db);
    const line = (opened: Date | null) =>
      sql`INSERT INTO direct_line (municipality_id, title, head_name, collect_from, collect_to, broadcast_on, opened_at)
          VALUES (${m}, 'Прямая линия', 'Глава', ${local('2026-06-01T00:00:00')}, ${local('2026-06-10T00:00:00')}, '2026-06-15', ${opened})`.execute(t.db);
    await line(null);
    expect(await kpi(m, 12, '2026')).toMatchObject({ numerator: 0, status: 'missed' });
    // Opened, then called off (POST /direct-lines/{id}/withdraw): not a collection held.
    await sql`UPDATE direct_line SET opened_at = ${local('2026-06-01T00:00:00')}, withdrawn_at = ${local('2026-06-02T00:00:00')} WHERE municipality_id = ${m}`.execute(t.db);
    expect(await kpi(m, 12, '2026')).toMatchObject({ numerator: 0, status: 'missed' });
    await line(local('2026-06-01T00:00:00'));
    expect(await kpi(m, 12, '2026')).toMatchObject({ numerator: 1, status: 'met' });
  });
});

describe('KPI 13: a decision on a poll published in News (≥ 1 a year)', () => {
  it('counts a decision whose news item is published in the year, not a draft', async () => {
    const m = await freshMunicipality(t.db);
    const draftNews = await news(m, '2026-06-01T10:00:00', 'draft');
    const decide = async (newsId: number) => {
      const pollId = await poll(m, '2026-05-01T10:00:00');
      await sql`INSERT INTO poll_decision (poll_id, decided_on, text, decided_by, news_item_id) VALUES (${pollId}, '2026-05-20', 'Решение', 'Глава', ${newsId})`.execute(t.db);
    };
    await decide(draftNews);
    expect(await kpi(m, 13, '2026')).toMatchObject({ numerator: 0, status: 'missed' });
    await decide(await news(m, '2026-06-01T10:00:00'));
    expect(await kpi(m, 13, '2026')).toMatchObject({ numerator: 1, status: 'met' });
  });
});

describe('KPI 15: a video contest a year (≥ 1)', () => {
  it('a video contest is met, a photo contest or a withdrawn video contest is not', async () => {
    const m = await freshMunicipality(t.db);
    await contest(m, { entryKind: 'photo' });
    await contest(m, { entryKind: 'video', state: 'withdrawn' });
    expect(await kpi(m, 15, '2026')).toMatchObject({ numerator: 0, status: 'missed' });
    await contest(m, { entryKind: 'video' });
    expect(await kpi(m, 15, '2026')).toMatchObject({ numerator: 1, status: 'met' });
  });
});
