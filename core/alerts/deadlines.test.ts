import { assignKpiResponsible } from '../kpi/kpi-responsible.service.ts';
import { sql } from 'kysely';
import { createTranslator } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { NOVOKUZNETSK_CENTER } from '../../test/residents.ts';
import { demoStaff, linkStaff, messageInWork, regionalCurator } from '../../test/staff.ts';
import { approveAnswer, draftAnswer } from '../messages/answers.service.ts';
import { listAlerts } from './alerts.ts';
import { parseAlertButton } from './buttons.ts';
import { overdueScan, runDeadlineReminders, runFirstResponseAlerts, runOverdueAlerts } from './deadlines.ts';
import { markDuplicate } from '../messages/moderation.service.ts';
import { buildStaffDigest } from './digest.ts';

let t: TestDatabase;
let kemerovo: number;
let staff: Awaited<ReturnType<typeof demoStaff>>;
let responsible: number;
let unlinkedResponsible: number;
const chats = new Map<number, string>();

beforeAll(async () => {
  t = await createTestDatabase();
  kemerovo = t.demo.municipalities.Kemerovo;
  staff = await demoStaff(t.db, kemerovo);
  const inserted = await t.db
    .insertInto('staff')
    .values([
      { full_name: 'Ответственный KPI 7', role: 'responsible', municipality_id: kemerovo, executor_id: null },
      { full_name: 'Ответственный KPI 7 без мессенджера', role: 'responsible', municipality_id: kemerovo, executor_id: null },
    ])
    .returning('id')
    .execute();
  [responsible, unlinkedResponsible] = inserted.map((r) => r.id) as [number, number];
  for (const staffId of [responsible, unlinkedResponsible]) await assignKpiResponsible(t.db, { municipalityId: kemerovo, kpi: 7, staffId }, new Date());
  for (const id of [staff.executor, staff.utilityExecutor, staff.curator, staff.moderator, responsible]) chats.set(id, await linkStaff(t.db, id));
  // Another municipality's curator is linked too: they must hear nothing about Kemerovo.
  await linkStaff(t.db, (await demoStaff(t.db, t.demo.municipalities.Novokuznetsk)).curator);
});
afterAll(() => t.close());

const DAY = 86_400_000;
const HOUR = 3_600_000;
const daysAfter = (from: Date, days: number, extraMs = 0) => new Date(from.getTime() + days * DAY + extraMs);

async function outboxFor(messageId: number, kind: string) {
  const rows = await t.db.selectFrom('outbox').select(['staff_id', 'chat_id', 'payload', 'priority']).where('kind', '=', kind).orderBy('id').execute();
  return rows.filter((r) => r.payload.params?.messageId === messageId);
}

describe('deadline reminders and the overdue alert', () => {
  it('day 10 and day 13 remind the executor once each; day 14 alerts executor, curator and KPI 7 responsibles once', async () => {
    const accepted = new Date('2026-11-02T03:00:00Z'); // Monday 10:00 in Kemerovo
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });

    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 10, -1000))).toMatchObject({ alerts: 0 });
    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 10))).toEqual({ messages: 1, alerts: 1, queued: 1 });
    const [day10] = await outboxFor(id, 'alert.deadline_reminder');
    expect(day10).toMatchObject({ staff_id: staff.executor, chat_id: chats.get(staff.executor), payload: { key: 'alert.deadline_reminder', params: { messageId: id, day: 10, daysLeft: 4, deadline: '16.11.2026 10:00' } } });
    expect(parseAlertButton((day10!.payload.keyboard as { rows: { id: string }[][] }).rows[0]![0]!.id)).toEqual({ action: 'answer', kind: 'intermediate', messageId: id });

    // Re-runs (another tick, a catch-up) send nothing new.
    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 10))).toMatchObject({ alerts: 0, queued: 0 });
    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 12))).toMatchObject({ alerts: 0, queued: 0 });

    // Day 13 is Sunday the 15th: the reminder waits for Monday 09:00, an hour before the deadline.
    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 13))).toMatchObject({ alerts: 0 });
    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 13, 23 * HOUR))).toEqual({ messages: 1, alerts: 1, queued: 1 });
    expect((await outboxFor(id, 'alert.deadline_reminder')).map((r) => r.payload.params?.day)).toEqual([10, 13]);

    expect(await runOverdueAlerts(t.db, daysAfter(accepted, 14))).toMatchObject({ alerts: 0 });
    const overdue = await runOverdueAlerts(t.db, daysAfter(accepted, 14, 1000));
    expect(overdue).toEqual({ messages: 1, alerts: 4, queued: 3 });
    const rows = await outboxFor(id, 'alert.overdue');
    expect(rows.map((r) => r.staff_id).sort()).toEqual([staff.executor, staff.curator, responsible].sort());
    expect(rows.find((r) => r.staff_id === staff.executor)!.payload.keyboard).toBeDefined();
    expect(rows.find((r) => r.staff_id === staff.curator)!.payload.keyboard).toBeUndefined();

    const listed = await listAlerts(t.db, { messageId: id, kind: 'alert.overdue' });
    expect(listed.map((a) => [a.staffId, a.queued]).sort()).toEqual(
      [[staff.executor, true], [staff.curator, true], [responsible, true], [unlinkedResponsible, false]].sort(),
    );

    expect(await runOverdueAlerts(t.db, daysAfter(accepted, 15))).toMatchObject({ alerts: 0, queued: 0 });
    expect(await runDeadlineReminders(t.db, daysAfter(accepted, 15))).toMatchObject({ alerts: 0 });
    expect(await outboxFor(id, 'alert.overdue')).toHaveLength(3);
  });

  it('an intermediate answer before day 10 suppresses reminders and the overdue alert', async () => {
    const accepted = new Date('2026-12-01T03:00:00Z');
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });
    const { answer } = await draftAnswer(t.db, { messageId: id, kind: 'intermediate', text: 'Ремонт в плане', actor: { kind: 'staff', staffId: staff.executor } }, daysAfter(accepted, 5));
    await approveAnswer(t.db, { answerId: answer.id, actor: { kind: 'staff', staffId: staff.curator } }, daysAfter(accepted, 5, 3_600_000));
    for (const day of [10, 13, 14.5, 20]) {
      await runDeadlineReminders(t.db, daysAfter(accepted, day));
      await runOverdueAlerts(t.db, daysAfter(accepted, day));
    }
    expect(await outboxFor(id, 'alert.deadline_reminder')).toEqual([]);
    expect(await outboxFor(id, 'alert.overdue')).toEqual([]);
  });

  it('a message closed on day 12 gets the day-10 reminder only', async () => {
    const accepted = new Date('2027-01-11T03:00:00Z');
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });
    await runDeadlineReminders(t.db, daysAfter(accepted, 10));
    const { answer } = await draftAnswer(t.db, { messageId: id, kind: 'final', resolution: 'solved', text: 'Отремонтировано', actor: { kind: 'staff', staffId: staff.executor } }, daysAfter(accepted, 12));
    await approveAnswer(t.db, { answerId: answer.id, actor: { kind: 'staff', staffId: staff.curator } }, daysAfter(accepted, 12, 1000));
    await runDeadlineReminders(t.db, daysAfter(accepted, 13));
    await runOverdueAlerts(t.db, daysAfter(accepted, 15));
    expect((await outboxFor(id, 'alert.deadline_reminder')).map((r) => r.payload.params?.day)).toEqual([10]);
    expect(await outboxFor(id, 'alert.overdue')).toEqual([]);
  });

  it('after downtime only the reminder that still matters is sent', async () => {
    const accepted = new Date('2027-02-01T03:00:00Z');
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });
    // Monday 09:00 after a weekend down: day 13 (Sunday) still matters, day 10 no longer does.
    await runDeadlineReminders(t.db, daysAfter(accepted, 13, 23 * HOUR));
    expect((await outboxFor(id, 'alert.deadline_reminder')).map((r) => r.payload.params?.day)).toEqual([13]);
  });

  it('a duplicate linked in work is not chased: it closes with its original, which is', async () => {
    const accepted = new Date('2027-04-05T03:00:00Z');
    const original = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });
    const duplicate = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });
    const urgent = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted, flags: { urgent: true } });
    const executorOf = (await t.db.selectFrom('message').select('executor_id').where('id', '=', original).executeTakeFirstOrThrow()).executor_id;
    await markDuplicate(t.db, { messageId: duplicate, originalId: original, actor: { kind: 'staff', staffId: staff.moderator } }, daysAfter(accepted, 0, 60_000));
    await markDuplicate(t.db, { messageId: urgent, originalId: original, actor: { kind: 'staff', staffId: staff.moderator } }, daysAfter(accepted, 0, 60_000));
    // Day 13 is a Sunday: its reminder comes on Monday at 09:00.
    for (const day of [0.5, 10, 13 + 23 / 24, 15]) {
      await runFirstResponseAlerts(t.db, daysAfter(accepted, day));
      await runDeadlineReminders(t.db, daysAfter(accepted, day));
      await runOverdueAlerts(t.db, daysAfter(accepted, day));
    }
    for (const id of [duplicate, urgent]) {
      expect((await listAlerts(t.db, { messageId: id })).map((a) => a.kind).filter((k) => k !== 'alert.assigned' && k !== 'alert.new_message')).toEqual([]);
    }
    expect((await outboxFor(original, 'alert.deadline_reminder')).map((r) => r.payload.params?.day)).toEqual([10, 13]);
    expect(await outboxFor(original, 'alert.overdue')).not.toEqual([]);
    // Nor does the 09:00 digest count it as waiting or overdue for the executor.
    const digest = await buildStaffDigest(t.db, { id: staff.executor, role: 'executor', municipalityId: kemerovo, executorId: executorOf }, daysAfter(accepted, 14.5));
    expect(digest!.overdue.messageIds).toContain(original);
    for (const id of [duplicate, urgent]) {
      expect(digest!.overdue.messageIds).not.toContain(id);
      expect(digest!.waiting.messageIds).not.toContain(id);
    }
  });

  it("officials hear of deadlines in their working hours: nothing at night, on a weekend or a holiday, then at the next working start", async () => {
    // Accepted on Wednesday 4 November 2026 at 23:00 in Kemerovo (a moderator working late).
    const late = new Date('2026-11-04T16:00:00Z');
    const lateId = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: late });
    // Day 10 is Saturday the 14th: no reminder that night nor that weekend; Monday 09:00 it comes, its deadline still ahead.
    for (const at of [daysAfter(late, 10, 60_000), new Date('2026-11-14T03:00:00Z'), new Date('2026-11-16T01:59:00Z')]) {
      expect(await runDeadlineReminders(t.db, at)).toMatchObject({ alerts: 0, queued: 0 });
    }
    expect(await runDeadlineReminders(t.db, new Date('2026-11-16T02:00:00Z'))).toMatchObject({ alerts: 1, queued: 1 });
    // Counted when it goes: 11 whole days in work, 3 days left begun (the deadline is Wednesday 23:00).
    expect((await outboxFor(lateId, 'alert.deadline_reminder')).map((r) => r.payload.params)).toEqual([{ messageId: lateId, day: 11, daysLeft: 3, deadline: '18.11.2026 23:00' }]);
    const [reminder] = await outboxFor(lateId, 'alert.deadline_reminder');
    const render = (language: 'ru' | 'en') => createTranslator()(language, 'alert.deadline_reminder', reminder!.payload.params);
    expect(render('ru')).toBe(`Напоминание: сообщение №${lateId} в работе 11 дн. без промежуточного ответа. Срок — до 18.11.2026 23:00 (осталось 3 дн.).`);
    expect(render('en')).toBe(`Reminder: message #${lateId} has been in work for 11 days without an intermediate answer. Due by 18.11.2026 23:00 (days left: 3).`);
    // Day 13 is Tuesday the 17th at 23:00: it waits for Wednesday 09:00.
    expect(await runDeadlineReminders(t.db, daysAfter(late, 13, 60_000))).toMatchObject({ alerts: 0 });
    expect(await runDeadlineReminders(t.db, new Date('2026-11-18T02:00:00Z'))).toMatchObject({ alerts: 1 });
    // The day-13 reminder: one day left, said so in English too (not "1 days left").
    const last = (await outboxFor(lateId, 'alert.deadline_reminder')).at(-1)!;
    expect(last.payload.params).toMatchObject({ day: 13, daysLeft: 1 });
    expect(createTranslator()('en', 'alert.deadline_reminder', last.payload.params)).toContain('(days left: 1).');
    // Overdue on Wednesday the 18th at 23:00: told on Thursday at 09:00, once.
    expect(await runOverdueAlerts(t.db, daysAfter(late, 14, 60_000))).toMatchObject({ alerts: 0, queued: 0 });
    expect(await runOverdueAlerts(t.db, new Date('2026-11-19T01:59:00Z'))).toMatchObject({ alerts: 0 });
    expect(await runOverdueAlerts(t.db, new Date('2026-11-19T02:00:00Z'))).toMatchObject({ messages: 1, alerts: 4, queued: 3 });
    expect(await runOverdueAlerts(t.db, new Date('2026-11-19T03:00:00Z'))).toMatchObject({ alerts: 0 });

    // Accepted on Monday 21 December 2026 at 10:00: day 14 is Monday 4 January 2027, in the New Year holidays.
    const beforeHolidays = new Date('2026-12-21T03:00:00Z');
    const holidayId = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: beforeHolidays });
    await runDeadlineReminders(t.db, new Date('2026-12-31T03:00:00Z'));
    expect(await runOverdueAlerts(t.db, daysAfter(beforeHolidays, 14, 60_000))).toMatchObject({ alerts: 0 });
    expect(await outboxFor(holidayId, 'alert.overdue')).toEqual([]);
    expect(await runOverdueAlerts(t.db, new Date('2027-01-11T02:00:00Z'))).toMatchObject({ messages: 1 });
  });

  it('alerts go to the executor the message is routed to, not to other executors', async () => {
    const accepted = new Date('2027-03-01T03:00:00Z');
    const id = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: accepted });
    await runDeadlineReminders(t.db, daysAfter(accepted, 10));
    const alerted = await listAlerts(t.db, { messageId: id });
    expect(alerted.filter((a) => a.kind === 'alert.deadline_reminder').map((a) => a.staffId)).toEqual([staff.executor]);
    expect(alerted.some((a) => a.staffId === staff.utilityExecutor)).toBe(false);
  });
});

describe('deadline alerts where the municipality has no curator at hand', () => {
  let r: TestDatabase;
  let regional = 0;
  let kem: Awaited<ReturnType<typeof demoStaff>>;
  let nk: Awaited<ReturnType<typeof demoStaff>>;
  let nkName: { name_ru: string; name_en: string };
  beforeAll(async () => {
    r = await createTestDatabase();
    regional = await regionalCurator(r.db, 'Куратор ЦУР');
    kem = await demoStaff(r.db, r.demo.municipalities.Kemerovo);
    nk = await demoStaff(r.db, r.demo.municipalities.Novokuznetsk);
    // Kemerovo's curator is at hand; Novokuznetsk's has no messenger (its executor has).
    for (const id of [kem.curator, kem.executor, nk.executor]) await linkStaff(r.db, id);
    nkName = await r.db.selectFrom('municipality').select(['name_ru', 'name_en']).where('id', '=', r.demo.municipalities.Novokuznetsk).executeTakeFirstOrThrow();
  });
  afterAll(() => r.close());
  const alerted = async (messageId: number, kind: string) => (await listAlerts(r.db, { messageId, kind })).map((a) => a.staffId).sort((a, b) => a - b);
  const outboxOf = async (messageId: number, kind: string, staffId: number) =>
    (await r.db.selectFrom('outbox').select('payload').where('kind', '=', kind).where('staff_id', '=', staffId).execute()).filter((o) => o.payload.params?.messageId === messageId);

  it('the overdue alert reaches the regional curator at the same working start as the local one, naming the municipality, once; not where a curator of its own is at hand', async () => {
    const { Kemerovo, Novokuznetsk } = r.demo.municipalities;
    // Accepted on Wednesday 4 November 2026 at 23:00: overdue on Wednesday the 18th at 23:00, told on Thursday at 09:00.
    const late = new Date('2026-11-04T16:00:00Z');
    const nkId = await messageInWork(r.db, { municipalityId: Novokuznetsk, acceptedAt: late, point: NOVOKUZNETSK_CENTER });
    const kemId = await messageInWork(r.db, { municipalityId: Kemerovo, acceptedAt: late });
    expect(await runOverdueAlerts(r.db, daysAfter(late, 14, 60_000))).toMatchObject({ alerts: 0, queued: 0 });
    expect(await alerted(nkId, 'alert.overdue')).toEqual([]);

    // Novokuznetsk: its executor, its curator (listed, no messenger) and the regional curator; Kemerovo: executor and curator.
    expect(await runOverdueAlerts(r.db, new Date('2026-11-19T02:00:00Z'))).toEqual({ messages: 2, alerts: 5, queued: 4 });
    expect(await alerted(nkId, 'alert.overdue')).toEqual([nk.executor, nk.curator, regional].sort((a, b) => a - b));
    expect(await alerted(kemId, 'alert.overdue')).toEqual([kem.executor, kem.curator].sort((a, b) => a - b));
    const [copy, ...more] = await outboxOf(nkId, 'alert.overdue', regional);
    expect(more).toEqual([]);
    expect(copy!.payload.keyboard).toBeUndefined();
    const t9n = createTranslator();
    expect(renderText(t9n, 'ru', copy!.payload)).toBe(`Сообщение №${nkId} просрочено: срок истёк 18.11.2026 23:00, промежуточного ответа не было.\nМуниципалитет: ${nkName.name_ru} — своего куратора на связи в мессенджере у него нет.`);
    expect(renderText(t9n, 'en', copy!.payload)).toBe(`Message #${nkId} is overdue: the deadline passed at 18.11.2026 23:00 with no intermediate answer.\nMunicipality: ${nkName.name_en} (no curator of its own is reachable in a messenger).`);
    // The executor's copy is as before: the buttons, no municipality line.
    const [executorCopy] = await outboxOf(nkId, 'alert.overdue', nk.executor);
    expect(renderText(t9n, 'ru', executorCopy!.payload)).toBe(`Сообщение №${nkId} просрочено: срок истёк 18.11.2026 23:00, промежуточного ответа не было.`);
    expect(await outboxOf(kemId, 'alert.overdue', regional)).toEqual([]);
    expect(await runOverdueAlerts(r.db, new Date('2026-11-19T03:00:00Z'))).toMatchObject({ alerts: 0, queued: 0 });
  });

  it('the late first draft of an urgent message reaches the regional curator with the municipality named; not where a curator of its own is at hand', async () => {
    const { Kemerovo, Novokuznetsk } = r.demo.municipalities;
    // Accepted Monday 9 November 2026 at 10:00 local: the hour ends at 11:00.
    const accepted = new Date('2026-11-09T03:00:00Z');
    const nkId = await messageInWork(r.db, { municipalityId: Novokuznetsk, acceptedAt: accepted, point: NOVOKUZNETSK_CENTER, flags: { urgent: true } });
    const kemId = await messageInWork(r.db, { municipalityId: Kemerovo, acceptedAt: accepted, flags: { urgent: true } });
    expect(await runFirstResponseAlerts(r.db, new Date('2026-11-09T03:59:00Z'))).toMatchObject({ alerts: 0 });
    expect(await runFirstResponseAlerts(r.db, new Date('2026-11-09T04:00:00Z'))).toEqual({ messages: 2, alerts: 5, queued: 4 });
    expect(await alerted(nkId, 'alert.first_response_late')).toEqual([nk.executor, nk.curator, regional].sort((a, b) => a - b));
    expect(await alerted(kemId, 'alert.first_response_late')).toEqual([kem.executor, kem.curator].sort((a, b) => a - b));
    const [copy] = await outboxOf(nkId, 'alert.first_response_late', regional);
    expect(renderText(createTranslator(), 'ru', copy!.payload)).toBe(
      `По срочному сообщению №${nkId} нет проекта ответа: срок 1 рабочий час истёк 09.11.2026 11:00.\nМуниципалитет: ${nkName.name_ru} — своего куратора на связи в мессенджере у него нет.`,
    );
    expect(await runFirstResponseAlerts(r.db, new Date('2026-11-09T05:00:00Z'))).toMatchObject({ alerts: 0, queued: 0 });
  });
});

describe('the overdue scan', () => {
  it('reads the partial index of in-work messages not yet alerted nor excused, so closed, alerted and excused messages never cost anything', async () => {
    // Many closed messages and few open ones, as in production after a year.
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      municipality_id: kemerovo,
      category_id: 1,
      text: 'closed',
      lat: 55.35,
      lon: 86.08,
      status: 'solved' as const,
      accepted_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
      closed_at: new Date(Date.UTC(2025, 1, 1)),
      created_at: new Date(Date.UTC(2025, 0, 1)),
      updated_at: new Date(Date.UTC(2025, 1, 1)),
    }));
    await t.db.insertInto('message').values(rows).execute();
    await sql`ANALYZE message`.execute(t.db);
    const compiled = overdueScan(t.db, new Date('2027-06-01T00:00:00Z')).compile();
    const plan = await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN ${inline(compiled.sql, compiled.parameters)}`).execute(t.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('message_overdue_pending_idx');
    expect(text).not.toMatch(/Seq Scan on message\b/);
  });
});

/** EXPLAIN takes no bind parameters: inline them as literals. */
function inline(query: string, parameters: readonly unknown[]): string {
  return query.replace(/\$(\d+)/g, (_m, i) => {
    const value = parameters[Number(i) - 1];
    if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
    if (typeof value === 'number') return String(value);
    return `'${String(value).replace(/'/g, "''")}'`;
  });
}
