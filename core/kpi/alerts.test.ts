import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { linkStaff } from '../../test/staff.ts';
import { listAlerts } from '../alerts/alerts.ts';
import { computeKpis, missingTables } from './engine.ts';
import { INDICATORS } from './indicators/index.ts';
import { saveStaffGroup } from './groups.service.ts';
import { assignKpiResponsible, kpiResponsibleStaffIds } from './kpi-responsible.service.ts';
import { firstWorkingDay, reasonsNote, runKpiAtRiskAlerts, runKpiMonthlySummary } from './kpi-alerts.ts';
import { recomputePeriod, runKpiSnapshots } from './snapshots.ts';
import { freshMunicipality, local } from './tests/kpi-data.ts';

let t: TestDatabase;
let m: number;
const staff = { alone: 0, member: 0, unlinked: 0 };
const MID_NOVEMBER = local('2026-11-16T00:00:00');
const translate = createTranslator();

async function official(name: string) {
  return (await t.db.insertInto('staff').values({ full_name: name, role: 'responsible', municipality_id: m, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
}

async function alertsOf(kind: string) {
  return t.db.selectFrom('staff_alert').select(['staff_id', 'dedupe_key', 'params']).where('kind', '=', kind).where('staff_id', 'in', Object.values(staff)).orderBy('staff_id').execute();
}

async function outboxOf(kind: string) {
  return t.db.selectFrom('outbox').select(['staff_id', 'payload']).where('kind', '=', kind).where('staff_id', 'in', Object.values(staff)).orderBy('staff_id').execute();
}

beforeAll(async () => {
  t = await createTestDatabase();
  m = await freshMunicipality(t.db, 1000);
  staff.alone = await official('Мерзлякова М.П.');
  staff.member = await official('Косвинцева Е.В.');
  staff.unlinked = await official('Архипова О.А.');
  await linkStaff(t.db, staff.alone);
  await linkStaff(t.db, staff.member, 'vk');
  await assignKpiResponsible(t.db, { municipalityId: m, kpi: 16, staffId: staff.alone }, MID_NOVEMBER);
  await saveStaffGroup(t.db, { municipalityId: m, name: 'Рабочая группа', staffIds: [staff.member, staff.unlinked, staff.alone], kpis: [16, 6] }, MID_NOVEMBER);
});
afterAll(() => t.close());

describe('responsible officials', () => {
  it('are those named in person and the members of a group named for the indicator, each once', async () => {
    expect(await kpiResponsibleStaffIds(t.db, m, 16)).toEqual([staff.alone, staff.member, staff.unlinked].sort((a, b) => a - b));
    expect(await kpiResponsibleStaffIds(t.db, m, 6)).toEqual([staff.alone, staff.member, staff.unlinked].sort((a, b) => a - b));
    expect(await kpiResponsibleStaffIds(t.db, m, 4)).toEqual([]);
  });
});

describe('the at-risk alert', () => {
  it('goes once per indicator and period to every responsible official, queued to linked messengers', async () => {
    // Mid-November, no publication yet: KPI 16 projects 0 of 20.
    const first = await runKpiAtRiskAlerts(t.db, MID_NOVEMBER);
    expect(first.municipalities).toBeGreaterThan(1);
    const raised = await alertsOf('alert.kpi_at_risk');
    expect(raised.map((a) => a.staff_id).sort()).toEqual(Object.values(staff).sort());
    expect(raised.every((a) => a.dedupe_key.startsWith(`kpi_at_risk:${m}:16:2026-11:`))).toBe(true);
    const queued = await outboxOf('alert.kpi_at_risk');
    expect(queued.map((q) => q.staff_id).sort()).toEqual([staff.alone, staff.member].sort());
    // The month in words, as officials read it.
    const text = (language: 'ru' | 'en') => renderText(translate, language, queued[0]!.payload as { key: string; params: Record<string, unknown> });
    expect(text('ru')).toBe(`Показатель №16 «${translate('ru', 'kpi.name_16')}» под угрозой за ноябрь 2026 г.: сейчас 0, прогноз 0, цель ≥ 20.`);
    expect(text('en')).toContain('at risk for November 2026:');
    expect(queued[0]!.payload).toMatchObject({
      key: 'kpi.at_risk',
      params: { kpi: 16, period: { $key: 'kpi.period_month', $params: { year: '2026', month: { $key: 'kpi.month_11' } } }, value: '0', target: '≥ 20', name: { $key: 'kpi.name_16' } },
    });

    await runKpiAtRiskAlerts(t.db, new Date(MID_NOVEMBER.getTime() + 86_400_000));
    expect(await alertsOf('alert.kpi_at_risk')).toHaveLength(3);
    expect(await outboxOf('alert.kpi_at_risk')).toHaveLength(2);
    const listed = await listAlerts(t.db, { municipalityId: m, kind: 'alert.kpi_at_risk' });
    expect(listed).toHaveLength(3);
    expect(listed.filter((a) => a.queued)).toHaveLength(2);
  });
});

describe('closing a period', () => {
  const DECEMBER_1 = local('2026-12-01T00:30:00');

  it('snapshots it once just after local midnight, and alerts nobody then: the missed indicators wait for the working day', async () => {
    const run = await runKpiSnapshots(t.db, DECEMBER_1);
    expect(run.periods).toBeGreaterThanOrEqual(1);
    const rows = await t.db.selectFrom('kpi_snapshot').select(['kpi', 'status', 'numerator']).where('municipality_id', '=', m).where('period', '=', '2026-11').orderBy('kpi').execute();
    // Every indicator whose data source is installed (polls, news, contests may not be) is frozen.
    const missing = await missingTables(t.db);
    expect(rows.map((r) => r.kpi)).toEqual(INDICATORS.filter((i) => !(i.tables ?? []).some((x) => missing.has(x))).map((i) => i.number));
    expect(rows.find((r) => r.kpi === 16)).toMatchObject({ status: 'missed', numerator: 0 });
    // 00:30 local: no official is woken by a missed indicator (the monthly summary's job tells them from 09:00).
    expect(await alertsOf('alert.kpi_missed')).toHaveLength(0);
    expect(await outboxOf('alert.kpi_missed')).toHaveLength(0);

    expect(await runKpiSnapshots(t.db, new Date(DECEMBER_1.getTime() + 86_400_000))).toMatchObject({ periods: 0 });
    expect(await alertsOf('alert.kpi_missed')).toHaveLength(0);
  });

  it('keeps the snapshot when the data change later; the recomputation replaces it', async () => {
    for (let i = 0; i < 20; i++) {
      await t.db
        .insertInto('kpi_publication')
        .values({
          municipality_id: m,
          url: `https://late.example/${i}`,
          canonical_url: `https://late.example/${i}`,
          outlet: 'Газета',
          published_on: '2026-11-20',
          created_by: null,
          created_at: DECEMBER_1,
        })
        .execute();
    }
    const frozen = await computeKpis(t.db, m, '2026-11', DECEMBER_1, { kpis: [16], trend: false });
    expect(frozen[0]).toMatchObject({ numerator: 0, status: 'missed', fromSnapshot: true });
    const recomputed = await recomputePeriod(t.db, m, '2026-11', DECEMBER_1);
    expect(recomputed.find((r) => r.kpi === 16)).toMatchObject({ numerator: 20, status: 'met' });
    const row = await t.db
      .selectFrom('kpi_snapshot')
      .select(['numerator', 'status', 'recomputed'])
      .where('municipality_id', '=', m)
      .where('period', '=', '2026-11')
      .where('kpi', '=', 16)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ numerator: 20, status: 'met', recomputed: true });
    expect((await computeKpis(t.db, m, '2026-11', DECEMBER_1, { kpis: [16], trend: false }))[0]).toMatchObject({ numerator: 20, fromSnapshot: true });
  });

  it('refuses to snapshot a period that has not ended', async () => {
    await expect(recomputePeriod(t.db, m, '2026-12', DECEMBER_1)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('an alert whose indicator is at risk for a part or a rule, not its total', () => {
  it('says what is wrong: the total projects to the target, the cultural events do not', async () => {
    const town = await freshMunicipality(t.db, 1000);
    const official = (await t.db.insertInto('staff').values({ full_name: 'Илюшина Г.Р.', role: 'responsible', municipality_id: town, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
    await linkStaff(t.db, official);
    await assignKpiResponsible(t.db, { municipalityId: town, kpi: 5, staffId: official }, MID_NOVEMBER);
    // 30 sport events by mid-November, no cultural one: 60 projected of 50 in all, but 0 of 40 cultural.
    await sql`
      INSERT INTO afisha_event (municipality_id, kind, state, title, starts_at, ends_at, venue_name, venue_address, venue_lat, venue_lon, published_at)
      SELECT ${town}, 'sport', 'published', 'Турнир ' || g, ${local('2026-11-20T10:00:00')}, ${local('2026-11-20T12:00:00')}, 'Стадион', 'ул. Ленина, 1', 55.35, 86.08, ${local('2026-11-10T10:00:00')}
      FROM generate_series(1, 30) g`.execute(t.db);
    await runKpiAtRiskAlerts(t.db, MID_NOVEMBER);
    const [queued] = await t.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.kpi_at_risk').where('staff_id', '=', official).execute();
    const text = (language: 'ru' | 'en') => renderText(translate, language, queued!.payload as { key: string; params: Record<string, unknown> });
    expect(text('ru')).toBe(`Показатель №5 «${translate('ru', 'kpi.name_5')}» под угрозой за ноябрь 2026 г.: сейчас 30, прогноз 60, цель ≥ 50.\n— культурных событий: 0 при цели ≥ 40`);
    expect(text('en')).toContain('\n— cultural events: 0, target ≥ 40');
    // KPI 3's rules, counted by kind.
    const note = reasonsNote({
      parts: [],
      violations: [
        { rule: 'week_without_poll', weekStart: '2026-11-02' },
        { rule: 'week_without_poll', weekStart: '2026-11-09' },
        { rule: 'two_in_a_day', day: '2026-11-17', count: 2 },
      ],
    });
    expect(renderText(translate, 'ru', { key: 'kpi.missed', params: { kpi: 3, name: 'Опросы', period: '2026', value: '6', target: '≥ 5', reasonsNote: note } })).toBe(
      'Показатель №3 «Опросы» не выполнен за 2026: 6, цель ≥ 5.\n— недель без опроса: 2 (нужен хотя бы один опрос в неделю)\n— дней с двумя опросами и более: 1 (не чаще одного в день)',
    );
  });
});

describe('a projected count', () => {
  it('is a whole number in the alert: 3 publications by 17 November project to 6 of 20, not 5,63', async () => {
    const town = await freshMunicipality(t.db, 1000);
    const official = (await t.db.insertInto('staff').values({ full_name: 'Косвинцева Е.В.', role: 'responsible', municipality_id: town, executor_id: null }).returning('id').executeTakeFirstOrThrow())
      .id;
    await linkStaff(t.db, official);
    await assignKpiResponsible(t.db, { municipalityId: town, kpi: 16, staffId: official }, MID_NOVEMBER);
    for (const n of [1, 2, 3]) {
      await t.db
        .insertInto('kpi_publication')
        .values({ municipality_id: town, url: `https://town.example/news/${n}`, canonical_url: `https://town.example/news/${n}`, outlet: 'Сайт', published_on: '2026-11-05', created_at: MID_NOVEMBER })
        .execute();
    }
    // 16 of November's 30 days have passed: 3 / (16/30) = 5.625.
    await runKpiAtRiskAlerts(t.db, local('2026-11-17T00:00:00'));
    const [queued] = await t.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.kpi_at_risk').where('staff_id', '=', official).execute();
    expect(renderText(translate, 'ru', queued!.payload as { key: string; params: Record<string, unknown> })).toContain('сейчас 3, прогноз 6, цель ≥ 20.');
  });
});

describe('the monthly summary', () => {
  it("goes on the month's first working day from 09:00 local, once per official", async () => {
    // November 2026 begins on a Sunday; December on a Tuesday.
    expect(firstWorkingDay({ timeZone: 'Asia/Novokuznetsk', config: {} }, 2026, 11)).toBe('2026-11-02');
    expect(firstWorkingDay({ timeZone: 'Asia/Novokuznetsk', config: {} }, 2026, 12)).toBe('2026-12-01');
    await runKpiMonthlySummary(t.db, local('2026-12-01T08:59:00'));
    expect(await alertsOf('digest.kpi_monthly')).toHaveLength(0);
    expect(await alertsOf('alert.kpi_missed')).toHaveLength(0);
    await runKpiMonthlySummary(t.db, local('2026-12-01T09:00:00'));
    // The indicators November ended missed are told now, once each, from the frozen figures: KPI 6 had
    // nothing to judge (no message answered), and a lower bound over nothing is missed; KPI 16 was met once recomputed.
    const missed = await alertsOf('alert.kpi_missed');
    expect(missed.map((a) => a.dedupe_key.split(':').slice(0, 4).join(':'))).toEqual(Array(3).fill(`kpi_missed:${m}:6:2026-11`));
    expect(await outboxOf('alert.kpi_missed')).toHaveLength(2);
    const sent = await alertsOf('digest.kpi_monthly');
    expect(sent).toHaveLength(3);
    expect(sent[0]!.params).toMatchObject({ period: { $key: 'kpi.period_month', $params: { year: '2026', month: { $key: 'kpi.month_11' } } } });
    const [digest] = await outboxOf('digest.kpi_monthly');
    const text = renderText(translate, 'ru', digest!.payload as { key: string; params: Record<string, unknown> });
    expect(text).toContain('Итоги показателей «Кузбасс Онлайн» за ноябрь 2026 г.:');
    expect(text).toContain('✅ №16: 20 (≥ 20)');
    expect(text).toContain('🔴 №6: — (≥ 45 %)');
    await runKpiMonthlySummary(t.db, local('2026-12-01T15:00:00'));
    await runKpiMonthlySummary(t.db, local('2026-12-02T09:00:00'));
    expect(await alertsOf('digest.kpi_monthly')).toHaveLength(3);
    expect(await outboxOf('digest.kpi_monthly')).toHaveLength(2);
    expect(await alertsOf('alert.kpi_missed')).toHaveLength(3);
  });

  it('a year ended missed is told with December on the first working day after the New Year holidays, not at 00:20 on 1 January', async () => {
    // 2027: 1–10 January are days off (holidays and the weekend); the 11th is the first working day.
    expect(firstWorkingDay({ timeZone: 'Asia/Novokuznetsk', config: {} }, 2027, 1)).toBe('2027-01-11');
    await runKpiSnapshots(t.db, local('2027-01-01T00:20:00'));
    await runKpiMonthlySummary(t.db, local('2027-01-01T09:05:00'));
    expect(await alertsOf('alert.kpi_missed')).toHaveLength(3);
    await runKpiMonthlySummary(t.db, local('2027-01-11T09:05:00'));
    const told = (await alertsOf('alert.kpi_missed')).map((a) => a.dedupe_key.split(':').slice(2, 4).join(':'));
    // December missed KPI 16 (20 a month); the year 2026 ended missed for 6 and 16 as well: each told once, now.
    expect(told.filter((k) => k === '16:2026-12')).toHaveLength(3);
    expect(told.filter((k) => k.endsWith(':2026')).sort()).toEqual(['16:2026', '16:2026', '16:2026', '6:2026', '6:2026', '6:2026']);
    await runKpiMonthlySummary(t.db, local('2027-01-11T13:05:00'));
    expect(await alertsOf('alert.kpi_missed')).toHaveLength(told.length);
  });
});

describe('the at-risk alert on days off', () => {
  it('waits for the working day: nothing on Sunday 10 January 2027 (New Year holidays), then once on Monday the 11th', async () => {
    const januarySixteen = async () => (await alertsOf('alert.kpi_at_risk')).filter((a) => a.dedupe_key.startsWith(`kpi_at_risk:${m}:16:2027-01:`));
    // A third of January has gone with no publication: KPI 16 (20 a month) is at risk, but it is a day off.
    expect(await runKpiAtRiskAlerts(t.db, local('2027-01-10T08:00:00'))).toMatchObject({ alerts: 0, queued: 0 });
    expect(await januarySixteen()).toEqual([]);
    await runKpiAtRiskAlerts(t.db, local('2027-01-11T08:00:00'));
    expect(await januarySixteen()).toHaveLength(3);
  });
});
