import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../bots/i18n.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, NOVOKUZNETSK_CENTER, registeredResident } from '../../test/residents.ts';
import { demoStaff, linkStaff, messageInWork } from '../../test/staff.ts';
import { draftAnswer } from '../messages/answers.service.ts';
import { fileMessage } from '../messages/filing.service.ts';
import { digestHourReached, runDueDigests } from './digest.ts';

let t: TestDatabase;
let staff: Awaited<ReturnType<typeof demoStaff>>;
let responsible: number;
const ids = { fresh: 0, dueSoon: 0, overdue: 0, new: 0 };

const DAY = 86_400_000;
/** 08:59 and 09:00 on 20 November 2026 in Kuzbass (UTC+7). */
const before9 = new Date('2026-11-20T01:59:00Z');
const at9 = new Date('2026-11-20T02:00:00Z');
const ago = (days: number) => new Date(at9.getTime() - days * DAY);

beforeAll(async () => {
  t = await createTestDatabase();
  const kemerovo = t.demo.municipalities.Kemerovo;
  staff = await demoStaff(t.db, kemerovo);
  responsible = (await t.db.insertInto('staff').values({ full_name: 'Ответственный', role: 'responsible', municipality_id: kemerovo, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
  for (const id of [staff.executor, staff.utilityExecutor, staff.curator, staff.moderator, responsible]) await linkStaff(t.db, id);
  await linkStaff(t.db, (await demoStaff(t.db, t.demo.municipalities.Novokuznetsk)).curator);

  ids.fresh = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: ago(5) });
  ids.dueSoon = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: ago(12) });
  ids.overdue = await messageInWork(t.db, { municipalityId: kemerovo, acceptedAt: ago(20) });
  await draftAnswer(t.db, { messageId: ids.fresh, kind: 'intermediate', text: 'В плане', actor: { kind: 'staff', staffId: staff.executor } }, ago(1));
  const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
  ids.new = (await fileMessage(t.db, { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Новая яма', point: KEMEROVO_CENTER, channel: 'tg' }, ago(0.5))).message.id;
});
afterAll(() => t.close());

async function digestOf(staffId: number) {
  const rows = await t.db.selectFrom('outbox').select(['payload', 'priority']).where('kind', '=', 'digest.daily').where('staff_id', '=', staffId).orderBy('id').execute();
  return rows;
}

describe('the daily digest', () => {
  it('waits for 09:00 local time of each municipality, then goes once a day', async () => {
    expect(digestHourReached('Asia/Novokuznetsk', before9)).toBe(false);
    expect(digestHourReached('Asia/Novokuznetsk', at9)).toBe(true);
    // Belovo is moved to Moscow time for this test: its 09:00 comes four hours later.
    await t.db.updateTable('municipality').set({ time_zone: 'Europe/Moscow' }).where('id', '=', t.demo.municipalities.Belovo).execute();

    expect(await runDueDigests(t.db, before9)).toEqual({ municipalities: 0, alerts: 0, queued: 0 });
    expect(await digestOf(staff.executor)).toEqual([]);

    const first = await runDueDigests(t.db, at9);
    expect(first).toEqual({ municipalities: 2, alerts: 4, queued: 4 });
    expect(await runDueDigests(t.db, new Date(at9.getTime() + 3_600_000))).toMatchObject({ municipalities: 0, alerts: 0 });
    expect(await runDueDigests(t.db, new Date('2026-11-20T06:00:00Z'))).toMatchObject({ municipalities: 1 });
    const days = await t.db.selectFrom('digest_day').select(['municipality_id', 'local_date']).orderBy('municipality_id').execute();
    expect(days).toEqual(
      Object.values(t.demo.municipalities)
        .sort((a, b) => a - b)
        .map((id) => ({ municipality_id: id, local_date: '2026-11-20' })),
    );
    // The next working day (the 20th is a Friday: Monday the 23rd) has its own digest.
    expect(await runDueDigests(t.db, new Date(at9.getTime() + 3 * DAY))).toMatchObject({ municipalities: 2 });
  });

  it('does not go on a day off (a weekend, a holiday) nor late in the evening when the app starts after a day it was down', async () => {
    const dates = async () => (await t.db.selectFrom('digest_day').select('local_date').distinct().orderBy('local_date').execute()).map((d) => d.local_date);
    const before = await dates();
    // Saturday 21 November and Sunday 22 November 2026, 09:00 and 15:00 in Kuzbass.
    for (const at of ['2026-11-21T02:00:00Z', '2026-11-21T08:00:00Z', '2026-11-22T02:00:00Z']) expect(await runDueDigests(t.db, new Date(at))).toEqual({ municipalities: 0, alerts: 0, queued: 0 });
    // 4 January 2027, a Monday of the New Year holidays.
    expect(await runDueDigests(t.db, new Date('2027-01-04T02:00:00Z'))).toEqual({ municipalities: 0, alerts: 0, queued: 0 });
    expect(await dates()).toEqual(before);
    // Tuesday 24 November, 22:30 in Kuzbass: the catch-up at start finds the day not done, and leaves it
    // (Belovo, moved to Moscow time above, is at 18:30: its digest goes).
    expect(await runDueDigests(t.db, new Date('2026-11-24T15:30:00Z'))).toMatchObject({ municipalities: 1 });
    const tuesday = await t.db.selectFrom('digest_day').select('municipality_id').where('local_date', '=', '2026-11-24').execute();
    expect(tuesday.map((d) => d.municipality_id)).toEqual([t.demo.municipalities.Belovo]);
    // Wednesday at 09:00 it goes as usual.
    expect(await runDueDigests(t.db, new Date('2026-11-25T02:00:00Z'))).toMatchObject({ municipalities: 2 });
  });

  it('tells each official what waits for them, what is overdue and what is due within 3 days', async () => {
    const [executor] = await digestOf(staff.executor);
    expect(executor!.priority).toBe(5);
    expect(executor!.payload).toMatchObject({
      key: 'digest.executor',
      params: { date: '20.11.2026', waiting: 3, waitingIds: `${ids.overdue}, ${ids.dueSoon}, ${ids.fresh}`, overdue: 1, overdueIds: String(ids.overdue), dueSoon: 1, dueSoonIds: String(ids.dueSoon) },
    });
    const [curator] = await digestOf(staff.curator);
    expect(curator!.payload).toMatchObject({ key: 'digest.curator', params: { waiting: 1, waitingIds: String(ids.fresh), overdue: 1, dueSoon: 1 } });
    const [moderator] = await digestOf(staff.moderator);
    expect(moderator!.payload).toMatchObject({ key: 'digest.moderator', params: { waiting: 1, waitingIds: String(ids.new), overdue: 1, dueSoon: 1 } });
    const [resp] = await digestOf(responsible);
    expect(resp!.payload).toMatchObject({ key: 'digest.responsible', params: { overdue: 1, overdueIds: String(ids.overdue), dueSoon: 1 } });
    // Nothing is assigned to the utility company, and Novokuznetsk is quiet: no empty digests.
    expect(await digestOf(staff.utilityExecutor)).toEqual([]);

    const text = createTranslator()('ru', executor!.payload.key, executor!.payload.params);
    expect(text).toContain('Сводка на 20.11.2026');
    expect(text).toContain(`Просрочено: 1 (№ ${ids.overdue})`);
  });
});

describe("the regional curators' digest", () => {
  let r: TestDatabase;
  const regional = { linked: 0, inactive: 0, withoutMessenger: 0 };
  let kemerovoCurator = 0;
  let nkCurator = 0;
  const nk = { draft: 0, overdue: 0, dueSoon: 0 };

  beforeAll(async () => {
    r = await createTestDatabase();
    const { Kemerovo, Novokuznetsk } = r.demo.municipalities;
    const curator = async (name: string) =>
      (await r.db.insertInto('staff').values({ full_name: name, role: 'curator', municipality_id: null, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
    regional.linked = await curator('Куратор ЦУР');
    regional.inactive = await curator('Бывший куратор ЦУР');
    regional.withoutMessenger = await curator('Куратор ЦУР без мессенджера');
    await linkStaff(r.db, regional.linked);
    await linkStaff(r.db, regional.inactive);
    await r.db.updateTable('staff').set({ active: false }).where('id', '=', regional.inactive).execute();
    const kemerovo = await demoStaff(r.db, Kemerovo);
    kemerovoCurator = kemerovo.curator;
    await linkStaff(r.db, kemerovoCurator);
    // Novokuznetsk's own curator has no messenger: its approvals fall to the region.
    const novokuznetsk = await demoStaff(r.db, Novokuznetsk);
    nkCurator = novokuznetsk.curator;

    const kemDraft = await messageInWork(r.db, { municipalityId: Kemerovo, acceptedAt: ago(2) });
    await draftAnswer(r.db, { messageId: kemDraft, kind: 'final', resolution: 'solved', text: 'Сделано', actor: { kind: 'staff', staffId: kemerovo.executor } }, ago(1));
    await messageInWork(r.db, { municipalityId: Kemerovo, acceptedAt: ago(20) });
    const inNk = (days: number) => messageInWork(r.db, { municipalityId: Novokuznetsk, acceptedAt: ago(days), point: NOVOKUZNETSK_CENTER });
    nk.draft = await inNk(3);
    nk.dueSoon = await inNk(12);
    nk.overdue = await inNk(16);
    await draftAnswer(r.db, { messageId: nk.draft, kind: 'clarification', text: 'Уточните адрес', actor: { kind: 'staff', staffId: novokuznetsk.executor } }, ago(1));
  });
  afterAll(() => r.close());

  const digestsOf = (staffId: number) => r.db.selectFrom('outbox').select(['payload', 'priority']).where('kind', '=', 'digest.daily').where('staff_id', '=', staffId).orderBy('id').execute();

  it('at 09:00 of the region gives an active linked regional curator one digest of the municipalities without a curator at hand; the inactive and the unlinked get none', async () => {
    await runDueDigests(r.db, before9);
    expect(await digestsOf(regional.linked)).toEqual([]);
    await runDueDigests(r.db, at9);
    const [digest, ...more] = await digestsOf(regional.linked);
    expect(more).toEqual([]);
    expect(digest).toMatchObject({
      priority: 5,
      payload: {
        key: 'digest.curator',
        params: { date: '20.11.2026', waiting: 1, waitingIds: String(nk.draft), overdue: 1, overdueIds: String(nk.overdue), dueSoon: 1, dueSoonIds: String(nk.dueSoon) },
      },
    });
    expect(createTranslator()('ru', digest!.payload.key, digest!.payload.params)).toContain(`Ждут согласования: 1 (№ ${nk.draft})`);
    // Kemerovo's curator has their own municipality's, as before; the region's is not copied to them.
    const [kemerovo, ...kemMore] = await digestsOf(kemerovoCurator);
    expect(kemMore).toEqual([]);
    expect(kemerovo!.payload.params).toMatchObject({ waiting: 1, overdue: 1, dueSoon: 0 });
    for (const id of [regional.inactive, regional.withoutMessenger, nkCurator]) expect(await digestsOf(id), String(id)).toEqual([]);
    expect(await r.db.selectFrom('staff_alert').select('staff_id').where('kind', '=', 'digest.daily').where('staff_id', 'in', [regional.inactive, regional.withoutMessenger]).execute()).toEqual([]);

    // Later runs the same day (the hourly retry, a restart) send nothing again.
    await runDueDigests(r.db, new Date(at9.getTime() + 3_600_000));
    expect(await digestsOf(regional.linked)).toHaveLength(1);
  });

  it('keeps the working days and hours: none on a weekend nor after 21:00, none when nothing is left to it', async () => {
    // Saturday and Sunday at 09:00, then Monday 23 November at 22:30 in Kuzbass: nothing.
    for (const when of ['2026-11-21T02:00:00Z', '2026-11-22T02:00:00Z', '2026-11-23T15:30:00Z']) await runDueDigests(r.db, new Date(when));
    expect(await digestsOf(regional.linked)).toHaveLength(1);
    expect(await r.db.selectFrom('regional_digest_day').select('local_date').execute()).toEqual([{ local_date: '2026-11-20' }]);
    // Novokuznetsk's curator links a messenger: the municipality is theirs, the region's digest is empty and not sent.
    await linkStaff(r.db, nkCurator);
    await runDueDigests(r.db, new Date('2026-11-24T02:00:00Z'));
    expect(await digestsOf(regional.linked)).toHaveLength(1);
    expect((await digestsOf(nkCurator)).map((d) => d.payload.params)).toEqual([expect.objectContaining({ date: '24.11.2026', waiting: 1, waitingIds: String(nk.draft) })]);
  });
});
