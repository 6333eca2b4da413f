import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import { categoryId, demoStaffId, KEMEROVO_CENTER, NOVOKUZNETSK_CENTER, registeredResident } from '../../test/residents.ts';
import { demoStaff, linkStaff, regionalCurator, solvedMessage } from '../../test/staff.ts';
import { listAlerts } from '../alerts/alerts.ts';
import { reopenKeyboard } from '../alerts/buttons.ts';
import { isDomainError } from '../errors.ts';
import { approveAnswer, draftAnswer, returnAnswer, reviseAnswer } from './answers.service.ts';
import { addResidentComment, addStaffComment, rateMessage, addRatingComplaint } from './feedback.service.ts';
import { fileMessage, NOT_AN_APPEAL_NOTICE } from './filing.service.ts';
import { canApply, transition } from './lifecycle.ts';
import { getMessageCard } from './message.queries.ts';
import { acceptMessage, rejectMessage, setPublished } from './moderation.service.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const at = (iso: string) => new Date(iso);

describe('the state machine', () => {
  it('allows exactly the documented transitions', () => {
    expect(transition('new', 'accept')).toBe('in_work');
    expect(transition('new', 'reject')).toBe('rejected');
    expect(transition('in_work', 'intermediate')).toBe('in_work');
    expect(transition('in_work', 'clarification')).toBe('in_work');
    expect(transition('in_work', 'close_solved')).toBe('solved');
    expect(transition('in_work', 'close_explained')).toBe('explained');
    expect(canApply('new', 'publish')).toBe(false);
    expect(canApply('rejected', 'accept')).toBe(false);
    expect(() => transition('solved', 'accept')).toThrowError(expect.objectContaining({ code: 'MESSAGE_ALREADY_CLOSED' }));
    expect(() => transition('in_work', 'rate')).toThrowError(expect.objectContaining({ code: 'NOT_CLOSED' }));
    expect(() => transition('rejected', 'close_solved')).toThrowError(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
  });
});

describe('one message from filing to rating', () => {
  it('walks every step and records each in the history', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const residentId = await registeredResident(db, { municipalityId: kemerovo });
    const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
    const curator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'curator') };
    const executorStaff = await db.selectFrom('staff').select('id').where('municipality_id', '=', kemerovo).where('role', '=', 'executor').where('full_name', 'not like', '%УК%').executeTakeFirstOrThrow();
    const executor = { kind: 'staff' as const, staffId: executorStaff.id };
    const pothole = await categoryId(db, 'roads.pothole');

    const filed = await fileMessage(db, { residentId, categoryId: pothole, text: '  Яма у дома 5  ', point: KEMEROVO_CENTER, channel: 'tg', photos: [{ fileId: 'AgAD1', fileUniqueId: 'u1' }] }, at('2026-11-02T03:00:00Z'));
    expect(filed.notice).toBe(NOT_AN_APPEAL_NOTICE);
    expect(filed.message).toMatchObject({ status: 'new', municipalityId: kemerovo, text: 'Яма у дома 5', published: false });
    const id = filed.message.id;

    const accepted = await acceptMessage(db, { messageId: id, actor: moderator }, at('2026-11-02T04:00:00Z'));
    expect(accepted.status).toBe('in_work');
    expect(accepted.executorId).not.toBeNull();
    await setPublished(db, { messageId: id, actor: moderator, published: true }, at('2026-11-02T04:05:00Z'));

    const intermediate = await draftAnswer(db, { messageId: id, kind: 'intermediate', text: 'Ремонт запланирован', actor: executor }, at('2026-11-05T04:00:00Z'));
    expect(intermediate.answer.state).toBe('draft');
    await approveAnswer(db, { answerId: intermediate.answer.id, actor: curator }, at('2026-11-05T05:00:00Z'));

    await addResidentComment(db, { residentId, messageId: id, text: 'Когда именно?' }, at('2026-11-06T01:00:00Z'));
    const card0 = await getMessageCard(db, id);
    await addStaffComment(db, { staffId: executor.staffId, messageId: id, text: 'На следующей неделе', replyToId: card0.comments[0]!.id }, at('2026-11-06T02:00:00Z'));

    const final = await draftAnswer(db, { messageId: id, kind: 'final', resolution: 'solved', text: 'Яма заделана', actor: executor }, at('2026-11-10T04:00:00Z'));
    await returnAnswer(db, { answerId: final.answer.id, remark: 'Приложите фото', actor: curator }, at('2026-11-10T05:00:00Z'));
    await reviseAnswer(db, { answerId: final.answer.id, text: 'Яма заделана, фото в карточке', actor: executor }, at('2026-11-10T06:00:00Z'));
    const approved = await approveAnswer(db, { answerId: final.answer.id, actor: curator }, at('2026-11-10T07:00:00Z'));
    expect(approved.message).toMatchObject({ status: 'solved', closedAt: at('2026-11-10T07:00:00Z'), firstIntermediateAt: at('2026-11-05T05:00:00Z') });
    expect(approved.answer).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'queued' } });

    const rating = await rateMessage(db, { residentId, messageId: id, stars: 2 }, at('2026-11-11T01:00:00Z'));
    expect(rating).toMatchObject({ stars: 2, flagged: true });
    await addRatingComplaint(db, { residentId, messageId: id, text: 'Яма снова появилась' }, at('2026-11-11T01:05:00Z'));
    await expect(rateMessage(db, { residentId, messageId: id, stars: 5 }, at('2026-11-11T02:00:00Z'))).rejects.toMatchObject({ code: 'ALREADY_RATED' });

    const card = await getMessageCard(db, id);
    expect(card.events.map((e) => [e.kind, e.fromStatus, e.toStatus, e.actorKind])).toEqual([
      ['filed', null, 'new', 'resident'],
      ['accepted', 'new', 'in_work', 'staff'],
      ['published', null, null, 'staff'],
      ['answer_drafted', null, null, 'staff'],
      ['intermediate_answer', 'in_work', 'in_work', 'staff'],
      ['comment', null, null, 'resident'],
      ['official_comment', null, null, 'staff'],
      ['answer_drafted', null, null, 'staff'],
      ['answer_returned', null, null, 'staff'],
      ['answer_revised', null, null, 'staff'],
      ['closed', 'in_work', 'solved', 'staff'],
      ['rated', null, null, 'resident'],
      ['rating_complaint', null, null, 'resident'],
    ]);
    expect(card.events.find((e) => e.kind === 'answer_returned')?.reason).toBe('Приложите фото');
    expect(card.photos).toEqual([{ fileId: 'AgAD1', fileUniqueId: 'u1', channel: 'tg', mediaId: null }]);
    expect(card.rating).toMatchObject({ stars: 2, complaint: 'Яма снова появилась' });

    const notices = await db.selectFrom('outbox').select(['kind', 'payload', 'recipient_kind']).where('resident_id', '=', residentId).orderBy('id').execute();
    expect(notices.map((n) => n.kind)).toEqual(['status.accepted', 'answer.intermediate', 'comment.reply', 'answer.final']);
    expect(notices[3]!.payload).toMatchObject({ key: 'notify.answer_final', params: { messageId: id, resolution: 'solved', text: 'Яма заделана, фото в карточке' } });
    const curatorAlerts = await db.selectFrom('outbox').select('kind').where('recipient_kind', '=', 'staff').execute();
    expect(curatorAlerts).toEqual([]); // nobody of the demo staff has linked a messenger yet
  });

  it('rejects with a reason only, and a rejected message is final', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const residentId = await registeredResident(db, { municipalityId: kemerovo });
    const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
    const { message } = await fileMessage(db, { residentId, categoryId: await categoryId(db, 'waste.pickup'), text: 'Мусор', point: KEMEROVO_CENTER, channel: 'vk' }, new Date());
    await expect(rejectMessage(db, { messageId: message.id, actor: moderator, reason: '   ' }, new Date())).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const rejected = await rejectMessage(db, { messageId: message.id, actor: moderator, reason: 'Нецензурная лексика' }, new Date());
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: 'Нецензурная лексика' });
    const error = await acceptMessage(db, { messageId: message.id, actor: moderator }, new Date()).catch((e: unknown) => e);
    expect(isDomainError(error, 'ILLEGAL_TRANSITION')).toBe(true);
    await expect(rateMessage(db, { residentId, messageId: message.id, stars: 5 }, new Date())).rejects.toMatchObject({ code: 'NOT_CLOSED' });
  });

  it('lets only the author rate, and only a closed message', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const author = await registeredResident(db, { municipalityId: kemerovo });
    const stranger = await registeredResident(db, { municipalityId: kemerovo });
    const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
    const { message } = await fileMessage(db, { residentId: author, categoryId: await categoryId(db, 'roads.lighting'), text: 'Фонарь', point: KEMEROVO_CENTER, channel: 'tg' }, new Date());
    await expect(rateMessage(db, { residentId: author, messageId: message.id, stars: 5 }, new Date())).rejects.toMatchObject({ code: 'NOT_CLOSED' });
    await acceptMessage(db, { messageId: message.id, actor: moderator }, new Date());
    await draftAnswer(db, { messageId: message.id, kind: 'final', resolution: 'explained', text: 'Разъяснение', actor: moderator }, new Date()).then((d) => approveAnswer(db, { answerId: d.answer.id, actor: moderator }, new Date()));
    await expect(rateMessage(db, { residentId: stranger, messageId: message.id, stars: 5 }, new Date())).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
    await expect(rateMessage(db, { residentId: author, messageId: message.id, stars: 6 }, new Date())).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await rateMessage(db, { residentId: author, messageId: message.id, stars: 5 }, new Date())).toMatchObject({ stars: 5, flagged: false });
  });
});

describe('low ratings and complaints where the municipality has no curator at hand', () => {
  let r: TestDatabase;
  beforeAll(async () => {
    r = await createTestDatabase();
  });
  afterAll(() => r.close());

  it('reach the regional curator, naming the municipality, with the reopen button; a municipality with its own curator at hand keeps them', async () => {
    const { Kemerovo, Novokuznetsk } = r.demo.municipalities;
    const regional = await regionalCurator(r.db, 'Куратор ЦУР');
    const kem = await demoStaff(r.db, Kemerovo);
    const nk = await demoStaff(r.db, Novokuznetsk);
    await linkStaff(r.db, kem.curator);
    const nkName = await r.db.selectFrom('municipality').select(['name_ru', 'name_en']).where('id', '=', Novokuznetsk).executeTakeFirstOrThrow();
    const solved = async (municipalityId: number, point?: { lat: number; lon: number }) => {
      const id = await solvedMessage(r.db, { municipalityId, acceptedAt: at('2026-11-02T03:00:00Z'), solvedAt: at('2026-11-05T03:00:00Z'), point });
      return { id, author: (await r.db.selectFrom('message').select('author_id').where('id', '=', id).executeTakeFirstOrThrow()).author_id! };
    };
    const alerted = async (messageId: number, kind: string) => (await listAlerts(r.db, { messageId, kind })).map((a) => a.staffId).sort((a, b) => a - b);
    const regionalCopy = async (messageId: number, kind: string) => {
      const rows = (await r.db.selectFrom('outbox').select('payload').where('kind', '=', kind).where('staff_id', '=', regional).execute()).filter((o) => o.payload.params?.messageId === messageId);
      expect(rows.length).toBeLessThanOrEqual(1);
      return rows[0]?.payload;
    };
    const t9n = createTranslator();
    const note = { ru: `\nМуниципалитет: ${nkName.name_ru} — своего куратора на связи в мессенджере у него нет.`, en: `\nMunicipality: ${nkName.name_en} (no curator of its own is reachable in a messenger).` };

    const inNk = await solved(Novokuznetsk, NOVOKUZNETSK_CENTER);
    await rateMessage(r.db, { residentId: inNk.author, messageId: inNk.id, stars: 1 }, at('2026-11-06T03:00:00Z'));
    expect(await alerted(inNk.id, 'alert.low_rating')).toEqual([nk.curator, regional].sort((a, b) => a - b));
    const low = (await regionalCopy(inNk.id, 'alert.low_rating'))!;
    expect(low.keyboard).toEqual(reopenKeyboard(inNk.id));
    expect(renderText(t9n, 'ru', low)).toBe(`Низкая оценка (1) по сообщению №${inNk.id}.${note.ru}`);
    expect(renderText(t9n, 'en', low)).toBe(`Low rating (1) on message #${inNk.id}.${note.en}`);
    await addRatingComplaint(r.db, { residentId: inNk.author, messageId: inNk.id, text: 'Яма снова появилась' }, at('2026-11-06T03:05:00Z'));
    expect(await alerted(inNk.id, 'alert.rating_complaint')).toEqual([nk.curator, regional].sort((a, b) => a - b));
    const complaint = (await regionalCopy(inNk.id, 'alert.rating_complaint'))!;
    expect(complaint.keyboard).toEqual(reopenKeyboard(inNk.id));
    expect(renderText(t9n, 'ru', complaint)).toBe(`Автор сообщения №${inNk.id} объяснил низкую оценку (1):\n\nЯма снова появилась${note.ru}`);
    expect(renderText(t9n, 'en', complaint)).toBe(`The author of message #${inNk.id} explained the low rating (1):\n\nЯма снова появилась${note.en}`);

    // Kemerovo's curator is at hand: theirs alone, without the municipality line.
    const inKem = await solved(Kemerovo);
    await rateMessage(r.db, { residentId: inKem.author, messageId: inKem.id, stars: 2 }, at('2026-11-06T03:00:00Z'));
    await addRatingComplaint(r.db, { residentId: inKem.author, messageId: inKem.id, text: 'Не сделали' }, at('2026-11-06T03:05:00Z'));
    expect(await alerted(inKem.id, 'alert.low_rating')).toEqual([kem.curator]);
    expect(await alerted(inKem.id, 'alert.rating_complaint')).toEqual([kem.curator]);
    const [kemCopy] = await r.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.low_rating').where('staff_id', '=', kem.curator).execute();
    expect(renderText(t9n, 'ru', kemCopy!.payload)).toBe(`Низкая оценка (2) по сообщению №${inKem.id}.`);
  });
});
