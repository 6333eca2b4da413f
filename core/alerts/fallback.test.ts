import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, NOVOKUZNETSK_CENTER, registeredResident } from '../../test/residents.ts';
import { demoStaff, linkStaff, messageInWork, regionalCurator } from '../../test/staff.ts';
import { intakeIncident } from '../incidents/incidents.service.ts';
import { addResidentComment } from '../messages/feedback.service.ts';
import { fileMessage } from '../messages/filing.service.ts';
import { listAlerts } from './alerts.ts';
import { runUnansweredCommentAlerts } from './author-comments.ts';
import { audienceBatch } from './fallback.ts';
import { runHourlyNewMessageCards } from './new-message.ts';

let t: TestDatabase;
let regional = 0;
let kem: Awaited<ReturnType<typeof demoStaff>>;
let nk: Awaited<ReturnType<typeof demoStaff>>;
let nkName: { name_ru: string; name_en: string };
beforeAll(async () => {
  t = await createTestDatabase();
  regional = await regionalCurator(t.db, 'Куратор ЦУР');
  // An inactive regional curator and one without a messenger are never copied.
  await regionalCurator(t.db, 'Бывший куратор ЦУР', { active: false });
  await regionalCurator(t.db, 'Куратор ЦУР без мессенджера', { linked: false });
  kem = await demoStaff(t.db, t.demo.municipalities.Kemerovo);
  nk = await demoStaff(t.db, t.demo.municipalities.Novokuznetsk);
  // Kemerovo's curator is at hand; nobody of Novokuznetsk's is.
  await linkStaff(t.db, kem.curator);
  nkName = await t.db.selectFrom('municipality').select(['name_ru', 'name_en']).where('id', '=', t.demo.municipalities.Novokuznetsk).executeTakeFirstOrThrow();
});
afterAll(() => t.close());

const byId = (a: number, b: number) => a - b;
const note = () => ({
  ru: `\nМуниципалитет: ${nkName.name_ru} — своего куратора на связи в мессенджере у него нет.`,
  en: `\nMunicipality: ${nkName.name_en} (no curator of its own is reachable in a messenger).`,
});
/** The line of a regional copy where neither moderators nor curators of the municipality are at hand. */
const staffNote = (m: { name_ru: string; name_en: string }) => ({
  ru: `\nМуниципалитет: ${m.name_ru} — ни модератора, ни куратора на связи в мессенджере у него нет.`,
  en: `\nMunicipality: ${m.name_en} (no moderator or curator of its own is reachable in a messenger).`,
});
const copiesFor = async (staffId: number, kind: string) => t.db.selectFrom('outbox').select('payload').where('kind', '=', kind).where('staff_id', '=', staffId).orderBy('id').execute();

describe("an author's comment nobody answered for a working day", () => {
  it('reaches the regional curator, naming the municipality, where none of its curators is at hand; not elsewhere', async () => {
    const { Kemerovo, Novokuznetsk } = t.demo.municipalities;
    // Monday 2 November 2026, 10:00 in Kuzbass: the comments come an hour later, due a working day after.
    const accepted = new Date('2026-11-02T03:00:00Z');
    const nkId = await messageInWork(t.db, { municipalityId: Novokuznetsk, acceptedAt: accepted, point: NOVOKUZNETSK_CENTER });
    const kemId = await messageInWork(t.db, { municipalityId: Kemerovo, acceptedAt: accepted });
    for (const [messageId, text] of [
      [nkId, 'Когда приедут?'],
      [kemId, 'Когда сделают?'],
    ] as const) {
      const { author_id } = await t.db.selectFrom('message').select('author_id').where('id', '=', messageId).executeTakeFirstOrThrow();
      await addResidentComment(t.db, { residentId: author_id!, messageId, text }, new Date('2026-11-02T04:00:00Z'));
    }
    expect(await runUnansweredCommentAlerts(t.db, new Date('2026-11-03T03:59:00Z'))).toMatchObject({ alerts: 0 });
    expect(await runUnansweredCommentAlerts(t.db, new Date('2026-11-03T04:00:00Z'))).toEqual({ comments: 2, alerts: 3, queued: 2 });
    const alerted = async (messageId: number) => (await listAlerts(t.db, { messageId, kind: 'alert.author_comment_unanswered' })).map((a) => a.staffId).sort(byId);
    expect(await alerted(nkId)).toEqual([nk.curator, regional].sort(byId));
    expect(await alerted(kemId)).toEqual([kem.curator]);
    const [copy, ...more] = await copiesFor(regional, 'alert.author_comment_unanswered');
    expect(more).toEqual([]);
    const t9n = createTranslator();
    expect(renderText(t9n, 'ru', copy!.payload)).toBe(`Комментарий автора к сообщению №${nkId} остаётся без ответа больше рабочего дня:\n\nКогда приедут?${note().ru}`);
    expect(renderText(t9n, 'en', copy!.payload)).toBe(`The author's comment on message #${nkId} has had no answer for more than a working day:\n\nКогда приедут?${note().en}`);
    // Kemerovo's curator reads it without the municipality line; a second run raises nothing.
    const [kemCopy] = await copiesFor(kem.curator, 'alert.author_comment_unanswered');
    expect(renderText(t9n, 'ru', kemCopy!.payload)).toBe(`Комментарий автора к сообщению №${kemId} остаётся без ответа больше рабочего дня:\n\nКогда сделают?`);
    expect(await runUnansweredCommentAlerts(t.db, new Date('2026-11-03T05:00:00Z'))).toMatchObject({ alerts: 0, queued: 0 });
  });
});

describe('a new item of the incident queue', () => {
  let n = 0;
  const intake = async (municipalityId: number | null) =>
    (
      await intakeIncident(
        t.db,
        { municipalityId, source: 'web', sourceUrl: `https://news.example/post/${++n}`, text: 'Прорвало трубу на Кирова', postedAt: new Date('2026-11-02T03:00:00Z') },
        new Date('2026-11-02T03:05:00Z'),
      )
    ).incident.id;
  const alerted = async (incidentId: number) =>
    (await t.db.selectFrom('staff_alert').select('staff_id').where('kind', '=', 'alert.incident_new').where('dedupe_key', 'like', `incident:${incidentId}:%`).execute())
      .map((a) => a.staff_id)
      .sort(byId);

  it('reaches the regional curator, naming the municipality, only where none of its curators and moderators is at hand', async () => {
    const { Kemerovo, Novokuznetsk } = t.demo.municipalities;
    const nkItem = await intake(Novokuznetsk);
    expect(await alerted(nkItem)).toEqual([nk.curator, nk.moderator, regional].sort(byId));
    const copy = (await copiesFor(regional, 'alert.incident_new')).find((c) => c.payload.params?.incidentId === nkItem)!;
    const t9n = createTranslator();
    expect(renderText(t9n, 'ru', copy.payload)).toBe(
      `Срочно: новый пост жителя в открытом источнике (№${nkItem}, сайт), нужен разбор.${staffNote(nkName).ru}\nhttps://news.example/post/1\n\nПрорвало трубу на Кирова`,
    );
    expect(renderText(t9n, 'en', copy.payload)).toContain(`needs triage.${staffNote(nkName).en}\nhttps://news.example/post/1`);

    // Kemerovo's curator is at hand: theirs and its moderator's only.
    expect(await alerted(await intake(Kemerovo))).toEqual([kem.curator, kem.moderator].sort(byId));
    // Novokuznetsk's moderator links a messenger: a new item there is seen, the region is not copied.
    await linkStaff(t.db, nk.moderator);
    expect(await alerted(await intake(Novokuznetsk))).toEqual([nk.curator, nk.moderator].sort(byId));
  });

  it("of the region's shared queue reaches the regional curators, without a municipality line, only when no municipality's curator or moderator is at hand", async () => {
    const regionItem = await intake(null);
    const municipal = await alerted(regionItem);
    expect(municipal).not.toContain(regional);
    expect(municipal).toEqual(expect.arrayContaining([kem.curator, nk.moderator]));
    // Every municipal messenger found unreachable (the bot blocked): the next item falls to the region.
    await t.db
      .updateTable('staff_identity')
      .set({ unreachable_at: new Date('2026-11-02T03:00:00Z') })
      .where('staff_id', '!=', regional)
      .execute();
    const unseen = await intake(null);
    expect(await alerted(unseen)).toEqual(expect.arrayContaining([regional, kem.curator, nk.moderator]));
    const copy = (await copiesFor(regional, 'alert.incident_new')).find((c) => c.payload.params?.incidentId === unseen)!;
    expect(renderText(createTranslator(), 'ru', copy.payload)).toBe(
      `Срочно: новый пост жителя в открытом источнике (№${unseen}, сайт), нужен разбор.\nhttps://news.example/post/${n}\n\nПрорвало трубу на Кирова`,
    );
  });
});

describe('the audience of one alert', () => {
  it("gives an official once: the executor's staff left out of both copies, one named in both gets the local one", () => {
    const alert = { kind: 'alert.overdue', key: 'alert.overdue', params: { messageId: 1 }, dedupeKey: 'overdue:1' };
    const audience = { local: [10, 11], regional: [20, 21], note: { $key: 'alert.approval_fallback_note', $params: {} } };
    expect(audienceBatch(audience, alert, { also: [21, 12], except: [11, 20] })).toEqual([{ staffIds: [10, 21, 12], alert }]);
    expect(audienceBatch(audience, alert, { except: [11] })).toEqual([
      { staffIds: [10], alert },
      { staffIds: [20, 21], alert: { ...alert, params: { messageId: 1, fallbackNote: audience.note } } },
    ]);
  });
});

describe("a new message's moderation card where no moderator is at hand", () => {
  // Belovo, untouched above: nobody of its own is linked to a messenger yet. Thursday 5 November 2026, 10:00 in Kuzbass.
  const now = new Date('2026-11-05T03:00:00Z');
  let bel: Awaited<ReturnType<typeof demoStaff>>;
  let belName: { name_ru: string; name_en: string };
  beforeAll(async () => {
    bel = await demoStaff(t.db, t.demo.municipalities.Belovo);
    belName = await t.db.selectFrom('municipality').select(['name_ru', 'name_en']).where('id', '=', t.demo.municipalities.Belovo).executeTakeFirstOrThrow();
  });
  const file = async (at = now) => {
    const residentId = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Belovo, now: at });
    const { message } = await fileMessage(t.db, { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Яма у школы', point: { lat: 54.4165, lon: 86.297 }, channel: 'tg' }, at);
    return message.id;
  };
  const carded = async (messageId: number) =>
    (await t.db.selectFrom('staff_alert').select('staff_id').where('kind', '=', 'alert.new_message').where('message_id', '=', messageId).execute()).map((a) => a.staff_id).sort(byId);
  const card = async (staffId: number, messageId: number) => (await copiesFor(staffId, 'alert.new_message')).filter((c) => c.payload.params?.messageId === messageId).map((c) => c.payload);
  const head = (messageId: number) => ({ ru: `Новое сообщение №${messageId}.`, en: `New message #${messageId}.` });
  const body = { ru: '\nКатегория: Ямы на дороге\nАдрес: —\nИсполнитель по правилам: Администрация: Беловский городской округ\n\nЯма у школы' };
  const buttons = (messageId: number) => [[`!mod:a:${messageId}`], [`!mod:o:${messageId}`], [`!mod:r:${messageId}`, `!mod:c:${messageId}`]];
  const ids = (keyboard: unknown) => (keyboard as { rows: { id: string }[][] }).rows.map((row) => row.map((b) => b.id));

  it('reaches the regional curator, naming the municipality and with its buttons, when neither its moderators nor its curators are', async () => {
    const messageId = await file();
    // Its own moderator (immediate) and curator have it listed; only the regional curator is reached.
    expect(await carded(messageId)).toEqual([bel.curator, bel.moderator, regional].sort(byId));
    const [copy, ...more] = await card(regional, messageId);
    expect(more).toEqual([]);
    const t9n = createTranslator();
    expect(renderText(t9n, 'ru', copy!)).toBe(`${head(messageId).ru}${staffNote(belName).ru}${body.ru}`);
    expect(renderText(t9n, 'en', copy!)).toContain(`${head(messageId).en}${staffNote(belName).en}\nCategory:`);
    expect(ids(copy!.keyboard)).toEqual(buttons(messageId));
  });

  it("reaches the municipality's curator, saying why, when none of its moderators is reachable; the region is not copied", async () => {
    await linkStaff(t.db, bel.curator);
    const messageId = await file();
    expect(await carded(messageId)).toEqual([bel.curator, bel.moderator].sort(byId));
    const [copy] = await card(bel.curator, messageId);
    const t9n = createTranslator();
    expect(renderText(t9n, 'ru', copy!)).toBe(`${head(messageId).ru}\nНи одного модератора муниципалитета нет на связи в мессенджере, поэтому сообщение пришло вам.${body.ru}`);
    expect(renderText(t9n, 'en', copy!)).toContain(`${head(messageId).en}\nNo moderator of the municipality is reachable in a messenger, so the message came to you.\nCategory:`);
    expect(ids(copy!.keyboard)).toEqual(buttons(messageId));
  });

  it('reaches neither while a moderator is reachable, even one who reads new messages only in the digest; the hourly batch copies nobody while one is', async () => {
    await linkStaff(t.db, bel.moderator);
    await t.db.updateTable('staff').set({ new_message_alerts: 'digest' }).where('id', '=', bel.moderator).execute();
    const messageId = await file();
    expect(await carded(messageId)).toEqual([]);
    await runHourlyNewMessageCards(t.db, new Date('2026-11-05T04:00:00Z'));
    expect(await carded(messageId)).toEqual([]);
    // The moderator's messenger found unreachable (the bot blocked): the next message falls to the curator again.
    await t.db.updateTable('staff_identity').set({ unreachable_at: now }).where('staff_id', '=', bel.moderator).execute();
    const unseen = await file();
    expect(await carded(unseen)).toEqual([bel.curator]);
    expect(await card(bel.curator, unseen)).toHaveLength(1);
    // The one filed while the moderator was reachable reaches the curator in the next hourly batch, once.
    await runHourlyNewMessageCards(t.db, new Date('2026-11-05T05:00:00Z'));
    await runHourlyNewMessageCards(t.db, new Date('2026-11-05T06:00:00Z'));
    expect(await carded(messageId)).toEqual([bel.curator]);
    expect(await card(bel.curator, messageId)).toHaveLength(1);
  });

  it('reaches the curator filed at night not then but in the first hourly batch of the working day', async () => {
    // Thursday 23:00 in Kuzbass; nobody but the curator is reachable since the test above.
    const messageId = await file(new Date('2026-11-05T16:00:00Z'));
    expect(await carded(messageId)).toEqual([]);
    await runHourlyNewMessageCards(t.db, new Date('2026-11-05T20:00:00Z'));
    expect(await carded(messageId)).toEqual([]);
    // Friday 09:00.
    await runHourlyNewMessageCards(t.db, new Date('2026-11-06T02:00:00Z'));
    expect(await carded(messageId)).toEqual([bel.curator]);
  });
});
