import { describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { MAX_ANSWER_PHOTOS, returnAnswer } from '../../../core/messages/answers.service.ts';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { acceptMessage } from '../../../core/messages/moderation.service.ts';
import { createLinkCode, staffStartPayload } from '../../../core/staff/link-codes.ts';
import { newChat, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, type ChannelName, press, tap } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { jpegBytes } from '../../../test/media/files.ts';
import { eventually } from '../../../test/outbox.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId } from '../../../test/staff.ts';
import { createTranslator } from '../../i18n.ts';

/**
 * An executor answers a resident in the bot with photos (a photo with a caption, an album, photos
 * at the check step), over HTTP as each messenger sends them, with the app's own outbox sender and
 * photo copier (polling every 50 ms) against the fake Bot API, VK API and VK's file servers. The
 * resident gets the photos in their own messenger: by file id when it is the executor's, else by
 * the copy in the media store (the answer first, the copy following it when it was not made yet).
 */
let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile(
  (opened, started) => {
    db = opened;
    harness = started;
  },
  { outbox: 'all', env: { MEDIA_COPY_POLL_MS: '50', MEDIA_COPY_RETRY_BASE_MS: '60000' } },
);

const t = createTranslator();
let seq = 0;

type Staff = Awaited<ReturnType<typeof demoStaff>>;
const staffOf = () => demoStaff(db.db, db.demo.municipalities.Kemerovo);

async function needsApproval(on: boolean): Promise<void> {
  await db.db.updateTable('municipality').set({ answers_need_approval: on }).where('id', '=', db.demo.municipalities.Kemerovo).execute();
}

/** The official linked in `channel` alone (links made by earlier tests are removed). */
async function linked(staffId: number, channel: ChannelName, name: string): Promise<Chat> {
  await db.db.deleteFrom('staff_identity').where('staff_id', '=', staffId).execute();
  const chat = newChat(harness, channel, name);
  const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId }, harness.now());
  await chat.say(`/start ${staffStartPayload(code)}`);
  return chat;
}

/** A resident reached in `channel` whose message is in work with the demo executor; its chat id and the message. */
async function messageInWork(staff: Staff, channel: ChannelName): Promise<{ chatId: string; messageId: number }> {
  const chatId = String(channel === 'vk' ? 1_900_000_000 + ++seq : 7_100_000_000 + ++seq);
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, channel, externalId: chatId, now: harness.now() });
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у остановки', point: KEMEROVO_CENTER, channel: 'tg' }, harness.now());
  const { executor_id } = await db.db.selectFrom('staff').select('executor_id').where('id', '=', staff.executor).executeTakeFirstOrThrow();
  await acceptMessage(db.db, { messageId: message.id, executorId: executor_id!, actor: { kind: 'staff', staffId: staff.moderator } }, harness.now());
  harness.app.kickOutbox();
  // The acceptance's notices (the resident's, the executor's card) are out before the dialog starts.
  await eventually(async () => (await db.db.selectFrom('outbox').select('id').where('state', 'in', ['pending', 'sending']).execute()).length === 0, 10_000, 'the outbox drained');
  return { chatId, messageId: message.id };
}

/** A photo the executor sends (with a caption or not), as the messenger brings it; in VK several photos are one message. */
interface SentPhoto {
  /** Telegram's file id, or the VK photo's id. */
  id: string;
  /** Served by the messenger's file API (else the download fails). */
  bytes?: Uint8Array;
}

/**
 * The updates the messenger brings for photos sent at once (their files served by its fake):
 * Telegram, one per photo (an album when several); VK, one message carrying them all.
 */
function photoUpdates(chat: Chat, photos: SentPhoto[], caption?: string): Record<string, unknown>[] {
  if (chat.channel === 'tg') {
    for (const photo of photos) if (photo.bytes) harness.fake.files.set(photo.id, { path: `photos/${photo.id}.jpg`, bytes: photo.bytes, contentType: 'image/jpeg' });
    return photos.map((photo, i) => ({
      message: {
        photo: [{ file_id: photo.id, file_unique_id: `${photo.id}-u`, width: 1280, height: 960 }],
        ...(photos.length > 1 && { media_group_id: `album-${photos[0]!.id}` }),
        ...(i === 0 && caption !== undefined && { caption }),
      },
    }));
  }
  const attachments = photos.map((photo) => {
    const url = `https://sun9-2.userapi.com/answer-${photo.id}.jpg`;
    if (photo.bytes) harness.vkFake.files.set(url, { bytes: photo.bytes, contentType: 'image/jpeg' });
    return { type: 'photo', photo: { id: Number(photo.id), owner_id: chat.userId, sizes: [{ type: 'x', width: 1280, height: 960, url }] } };
  });
  return [{ type: 'message_new', object: { message: { text: caption ?? '', attachments } } }];
}

/** A press of the button labelled `label`, as the messenger brings it (resolved by the chat when posted). */
const pressUpdate = (chat: Chat, label: string) => (chat.channel === 'tg' ? { callback_query: { data: `$press:${label}` } } : { type: 'message_event', object: { payload: `$press:${label}` } });

/** Photos sent at once, delivered back to back (an album's updates do not wait for the bot's replies); the replies are all of theirs. */
async function sendPhotos(chat: Chat, photos: SentPhoto[], caption?: string): Promise<void> {
  await chat.postInTurn(photoUpdates(chat, photos, caption));
}

/** The messenger's id of a photo the executor sent: what the resident's messenger shows by it. */
const fileIdOf = (chat: Chat, photo: SentPhoto) => (chat.channel === 'tg' ? photo.id : `photo${chat.userId}_${photo.id}`);

const newPhoto = (withBytes = true): SentPhoto => {
  const n = 457_000_000 + ++seq;
  return { id: String(n), ...(withBytes && { bytes: jpegBytes(2000, n) }) };
};

/** What a chat got after its message was accepted, in order: texts, and photos (file ids, or 'upload' for a file uploaded now). */
function residentSaw(channel: ChannelName, chatId: string): { texts: string[]; photos: string[] } {
  const seen = sentTo(channel, chatId);
  return { ...seen, texts: seen.texts.filter((text) => !text.includes('принято в работу')) };
}

function sentTo(channel: ChannelName, chatId: string): { texts: string[]; photos: string[] } {
  if (channel === 'tg') {
    const calls = harness.fake.calls.filter((c) => String(c.params.chat_id) === chatId);
    const photos = calls.flatMap((c) => {
      if (c.method === 'sendPhoto') return [typeof c.params.photo === 'string' && !c.params.photo.startsWith('attach://') ? c.params.photo : 'upload'];
      if (c.method === 'sendMediaGroup') return (c.params.media as { media: string }[]).map((m) => (m.media.startsWith('attach://') ? 'upload' : m.media));
      return [];
    });
    return { texts: calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.params.text)), photos };
  }
  const sends = harness.vkFake.calls.filter((c) => c.method === 'messages.send' && c.params.peer_id === chatId);
  return { texts: sends.map((c) => String(c.params.message)), photos: sends.flatMap((c) => (c.params.attachment ? String(c.params.attachment).split(',') : [])) };
}

const answerPhotoRows = (answerId: number) =>
  db.db.selectFrom('answer_photo').select(['channel', 'file_id', 'media_id', 'copy_due_at', 'copy_error']).where('answer_id', '=', answerId).orderBy('position').execute();
const lastAnswer = (messageId: number) => db.db.selectFrom('answer').selectAll().where('message_id', '=', messageId).orderBy('id', 'desc').executeTakeFirstOrThrow();

async function apiAnswers(messageId: number, staffId: number) {
  const key = (await issueKey(db.db, { staffId, label: 'test', createdBy: null }, harness.now())).token;
  const res = await fetch(`${harness.url}/api/v1/answers?messageId=${messageId}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: number; mediaIds: number[]; photos: { channel: string; mediaId: number | null; copy: string; error: string | null }[] }[] }).items;
}

const kindRu = (kind: string) => t('ru', `official.kind_${kind}`);

describe.each(CHANNELS)('%s executor, resident in the same messenger', (channel) => {
  it('a photo with a caption is the text and the first photo; the resident gets it by its file id with the answer', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { chatId, messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`));
    expect(executor.replyTexts).toEqual([t('ru', 'official.write_text', { kind: kindRu('intermediate'), messageId, max: 4000 })]);

    const photo = newPhoto();
    await sendPhotos(executor, [photo], 'Яму заделали, фото прилагаем.');
    // Telegram: one photo carrying the text, the check shows both. VK: the message's text (the check), then its photo (added).
    const [preview, ...rest] = executor.replyTexts;
    expect(preview).toContain('Яму заделали, фото прилагаем.');
    if (channel === 'tg') expect(preview).toContain(t('ru', 'official.confirm_photos', { count: 1, max: MAX_ANSWER_PHOTOS }));
    else expect(rest).toEqual([t('ru', 'official.photo_added', { count: 1, max: MAX_ANSWER_PHOTOS })]);
    expect(preview).not.toContain('{{');

    await executor.say(press(t('ru', 'official.send')));
    // (The resident's notice may go out within the same turn's replies in a shared fake: look for the executor's own.)
    const sent = executor.replyTexts.find((text) => text.startsWith(t('ru', 'official.sent_to_author', { kind: kindRu('intermediate'), messageId })));
    expect(sent).toContain(t('ru', 'official.sent_photos', { count: 1 }));

    await eventually(async () => residentSaw(channel, chatId).texts.length > 0, 10_000, 'the answer reaches the resident');
    const seen = residentSaw(channel, chatId);
    expect(seen.photos).toEqual([fileIdOf(executor, photo)]);
    expect(seen.texts[0]).toContain('Яму заделали, фото прилагаем.');
    expect(seen.texts[0]).not.toContain('📷');

    // The copy is made all the same (the API and the web console serve it), after the turn.
    const answer = await lastAnswer(messageId);
    await eventually(async () => (await answerPhotoRows(answer.id))[0]?.media_id !== null, 10_000, 'the copy');
    const [listed] = await apiAnswers(messageId, staff.curator);
    expect(listed!.photos).toEqual([{ channel, mediaId: expect.any(Number), copy: 'copied', error: null }]);
    expect(listed!.mediaIds).toEqual([listed!.photos[0]!.mediaId]);
  });
});

describe.each(CHANNELS)('%s executor, resident in the other messenger', (channel) => {
  const other: ChannelName = channel === 'tg' ? 'vk' : 'tg';

  it('no approval: the answer goes at once saying the photos follow, and their copies follow it in one message', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { chatId, messageId } = await messageInWork(staff, other);
    await executor.say(tap(`!ans:i:${messageId}`));
    // An album (Telegram) or one message with two photos (VK), the text in it.
    await sendPhotos(executor, [newPhoto(), newPhoto()], 'Работы начаты.');
    expect(executor.replyTexts.join('\n')).toContain(t('ru', 'official.photo_added', { count: 2, max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.send')));

    await eventually(async () => residentSaw(other, chatId).texts.length >= 2, 10_000, 'the answer and its photos');
    const seen = residentSaw(other, chatId);
    expect(seen.texts[0]).toContain('Работы начаты.');
    expect(seen.texts[0]).toContain(t('ru', 'notify.answer_photos_following', { count: 2 }).trim());
    expect(seen.texts[1]).toBe(t('ru', 'notify.answer_late_photos', { messageId }));
    // Both copies uploaded to the resident's messenger, none by the executor's file ids.
    expect(seen.photos).toHaveLength(2);
    if (other === 'tg') expect(seen.photos).toEqual(['upload', 'upload']);
    else expect(seen.photos.every((p) => p.startsWith('photo-229000001_'))).toBe(true);
  });

  it("with approval: the curator's card in the other messenger gets the copies; once approved the resident gets the answer with them in one message", async () => {
    await needsApproval(true);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const curator = await linked(staff.curator, other, 'Куратор');
    const { chatId, messageId } = await messageInWork(staff, other);
    await executor.say(tap(`!ans:f:${messageId}`), press(t('ru', 'official.resolution_solved')), 'Яма заделана.');
    const photo = newPhoto();
    await sendPhotos(executor, [photo]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photo_added', { count: 1, max: MAX_ANSWER_PHOTOS })]);
    await executor.say(press(t('ru', 'official.send')));
    expect(executor.replyTexts.some((text) => text.startsWith(t('ru', 'official.sent_for_approval', { kind: kindRu('final'), messageId })))).toBe(true);

    const answer = await lastAnswer(messageId);
    await eventually(async () => (await answerPhotoRows(answer.id))[0]?.media_id !== null, 10_000, 'the copy');
    // The card went out before the copy (or with it): either way the curator sees the photo in their messenger.
    const late = t('ru', 'alert.answer_late_photos', { messageId });
    await eventually(async () => residentSaw(other, curator.externalId).texts.includes(late), 10_000, "the photo follows the curator's card");
    expect(residentSaw(other, curator.externalId).photos).toHaveLength(1);
    const curatorGot = residentSaw(other, curator.externalId).texts;
    const card = curatorGot.find((text) => text.includes(`№${messageId}`) && text.includes('Яма заделана.'))!;
    expect(card).not.toContain('{{');
    // The card is queued in the executor's turn, before any copy: it says the photo follows, and the copy follows it.
    const messenger = channel === 'tg' ? 'Telegram' : 'VK';
    expect(card).toContain(t('ru', 'alert.answer_photos_following', { count: 1, messenger }).trim());
    expect(curatorGot.indexOf(card)).toBeLessThan(curatorGot.indexOf(late));

    await curator.say(tap(`!apr:a:${answer.id}`));
    await eventually(async () => residentSaw(other, chatId).texts.length > 0, 10_000, 'the approved answer');
    await new Promise((r) => setTimeout(r, 300));
    const seen = residentSaw(other, chatId);
    expect(seen.texts).toHaveLength(1);
    expect(seen.texts[0]).toContain('Яма заделана.');
    expect(seen.texts[0]).not.toContain('📷');
    expect(seen.photos).toHaveLength(1);
    const [listed] = await apiAnswers(messageId, staff.curator);
    expect(listed!.photos).toEqual([{ channel, mediaId: expect.any(Number), copy: 'copied', error: null }]);
  });

  it('a photo whose download fails for good: the answer still reaches the resident, who is told the photo could not be brought; the API says why', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { chatId, messageId } = await messageInWork(staff, other);
    await executor.say(tap(`!ans:i:${messageId}`), 'Работы идут.');
    // Not on the messenger's file servers: Telegram answers getFile 400, VK's server 404 — given up at once.
    if (channel === 'tg') harness.fake.failNext({ status: 400, description: 'Bad Request: wrong file_id' }, { method: 'getFile' });
    await sendPhotos(executor, [newPhoto(false)]);
    await executor.say(press(t('ru', 'official.send')));

    await eventually(async () => residentSaw(other, chatId).texts.length >= 2, 10_000, 'the answer and the word on its photo');
    const seen = residentSaw(other, chatId);
    expect(seen.texts[0]).toContain('Работы идут.');
    expect(seen.texts[1]).toBe(t('ru', 'notify.answer_photos_lost_later', { messageId }));
    expect(seen.photos).toEqual([]);
    const [listed] = await apiAnswers(messageId, staff.curator);
    expect(listed!.mediaIds).toEqual([]);
    expect(listed!.photos).toEqual([{ channel, mediaId: null, copy: 'failed', error: expect.stringMatching(channel === 'tg' ? /400/ : /404/) }]);
  });

  it('with approval, a photo whose download fails for good: the curator whose card said it would follow is told it will not', async () => {
    await needsApproval(true);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const curator = await linked(staff.curator, other, 'Куратор');
    const { messageId } = await messageInWork(staff, other);
    await executor.say(tap(`!ans:i:${messageId}`), 'Работы идут.');
    if (channel === 'tg') harness.fake.failNext({ status: 400, description: 'Bad Request: wrong file_id' }, { method: 'getFile' });
    await sendPhotos(executor, [newPhoto(false)]);
    await executor.say(press(t('ru', 'official.send')));

    const messenger = channel === 'tg' ? 'Telegram' : 'VK';
    const lost = t('ru', 'alert.answer_photos_lost_later', { messageId, messenger });
    expect(lost).not.toContain('{{');
    await eventually(async () => residentSaw(other, curator.externalId).texts.includes(lost), 10_000, 'the curator told the photo will not follow');
    const curatorGot = residentSaw(other, curator.externalId).texts;
    const card = curatorGot.find((text) => text.includes(`№${messageId}`) && text.includes('Работы идут.'))!;
    expect(card).toContain(t('ru', 'alert.answer_photos_following', { count: 1, messenger }).trim());
    expect(curatorGot.indexOf(card)).toBeLessThan(curatorGot.indexOf(lost));
    expect(curatorGot.filter((text) => text === lost)).toHaveLength(1);
    expect(residentSaw(other, curator.externalId).photos).toEqual([]);
  });
});

describe.each(CHANNELS)('%s: the limit, and the text-only path', (channel) => {
  it(`photos past ${MAX_ANSWER_PHOTOS} are refused with a clear word; the rest go`, async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`), 'Фотоотчёт.');
    await sendPhotos(
      executor,
      Array.from({ length: MAX_ANSWER_PHOTOS }, () => newPhoto()),
    );
    await sendPhotos(executor, [newPhoto()]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photos_limit', { max: MAX_ANSWER_PHOTOS })]);
    await executor.say(press(t('ru', 'official.send')));
    const answer = await lastAnswer(messageId);
    expect(await answerPhotoRows(answer.id)).toHaveLength(MAX_ANSWER_PHOTOS);
  });

  it('an album (a VK message with several photos) at the check step gets one line with its final count', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`), 'Фотоотчёт о ремонте.');
    await sendPhotos(executor, [newPhoto(), newPhoto(), newPhoto()]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photo_added', { count: 3, max: MAX_ANSWER_PHOTOS })]);
    // A second album adds to the first: again one line, the answer's count.
    await sendPhotos(executor, [newPhoto(), newPhoto()]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photo_added', { count: 5, max: MAX_ANSWER_PHOTOS })]);
    await executor.say(press(t('ru', 'official.send')));
    expect(await answerPhotoRows((await lastAnswer(messageId)).id)).toHaveLength(5);
  });

  it('Send pressed right after an album: the answer goes with its photos, and no count line follows "sent"', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`), 'Фото после ремонта.');
    await executor.postInTurn([...photoUpdates(executor, [newPhoto(), newPhoto(), newPhoto()]), pressUpdate(executor, t('ru', 'official.send'))]);
    // "Sent" follows the album's count line in the same chat, so the chat's pacing may put it a moment
    // later than the turn's other replies: wait for it in what the messenger got.
    const isSent = (text: string) => text.startsWith(t('ru', 'official.sent_to_author', { kind: kindRu('intermediate'), messageId }));
    await (channel === 'tg' ? harness.fake : harness.vkFake).waitFor(() => sentTo(channel, executor.externalId).texts.some(isSent), 10_000);
    const sent = sentTo(channel, executor.externalId).texts.find(isSent);
    expect(sent).toContain(t('ru', 'official.sent_photos', { count: 3 }));
    await new Promise((r) => setTimeout(r, 1800));
    const toExecutor = sentTo(channel, executor.externalId).texts;
    expect(toExecutor.filter((text) => text.startsWith(t('ru', 'official.photo_added', { count: 1, max: MAX_ANSWER_PHOTOS }).split(':')[0]!))).toEqual(
      channel === 'tg' ? [] : [t('ru', 'official.photo_added', { count: 3, max: MAX_ANSWER_PHOTOS })],
    );
    expect(toExecutor.at(-1)).toBe(sent);
    expect(await answerPhotoRows((await lastAnswer(messageId)).id)).toHaveLength(3);
  });

  it(`an album past ${MAX_ANSWER_PHOTOS} at the check step: one count and one word on the photos that did not fit`, async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`), 'Большой фотоотчёт.');
    await sendPhotos(executor, [newPhoto(), newPhoto(), newPhoto(), newPhoto(), newPhoto(), newPhoto(), newPhoto(), newPhoto()]);
    await sendPhotos(executor, [newPhoto(), newPhoto(), newPhoto(), newPhoto()]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photo_added', { count: MAX_ANSWER_PHOTOS, max: MAX_ANSWER_PHOTOS }), t('ru', 'official.photos_limit', { max: MAX_ANSWER_PHOTOS })]);
    // The check's buttons come with the last line.
    expect(executor.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).toContain(t('ru', 'official.send'));
    await executor.say(press(t('ru', 'official.send')));
    expect(await answerPhotoRows((await lastAnswer(messageId)).id)).toHaveLength(MAX_ANSWER_PHOTOS);
  });

  it('text only: the check has no photo button and the answer goes as before; "Without photos" drops photos sent', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { chatId, messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`), 'Только текст.');
    const labels = () => executor.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label));
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.confirm_photos_hint', { max: MAX_ANSWER_PHOTOS }));
    expect(labels()).not.toContain(t('ru', 'official.remove_photos'));

    await sendPhotos(executor, [newPhoto()]);
    expect(labels()).toContain(t('ru', 'official.remove_photos'));
    await executor.say(press(t('ru', 'official.remove_photos')));
    expect(executor.replyTexts[0]).toBe(t('ru', 'official.photos_removed'));
    await executor.say(press(t('ru', 'official.send')));
    expect(executor.replyTexts).toContain(t('ru', 'official.sent_to_author', { kind: kindRu('intermediate'), messageId }));

    const answer = await lastAnswer(messageId);
    expect(await answerPhotoRows(answer.id)).toEqual([]);
    expect(answer.media_ids).toEqual([]);
    await eventually(async () => residentSaw(channel, chatId).texts.length > 0, 10_000, 'the answer');
    const seen = residentSaw(channel, chatId);
    expect(seen.texts).toEqual([t('ru', 'notify.answer_intermediate', { messageId, text: 'Только текст.' })]);
    expect(seen.photos).toEqual([]);
  });
});

describe.each(CHANNELS)('%s: a photo before the text, and a revision', (channel) => {
  it('a photo alone where the text is asked is kept and the text still asked; a returned answer revised in the bot keeps its photo and takes another', async () => {
    await needsApproval(true);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`));
    const first = newPhoto();
    await sendPhotos(executor, [first]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photo_kept_text', { count: 1, max: MAX_ANSWER_PHOTOS })]);
    await executor.say('Первый вариант.');
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.confirm_photos', { count: 1, max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.send')));
    const answer = await lastAnswer(messageId);
    expect(answer.state).toBe('draft');
    await returnAnswer(db.db, { answerId: answer.id, remark: 'Нужно фото ближе', actor: { kind: 'staff', staffId: staff.curator } }, harness.now());

    await executor.say(tap(`!ans:i:${messageId}`));
    await sendPhotos(executor, [newPhoto()], 'Второй вариант.');
    const texts = executor.replyTexts.join('\n');
    expect(texts).toContain('Второй вариант.');
    expect(texts).toContain(channel === 'tg' ? t('ru', 'official.confirm_photos', { count: 2, max: MAX_ANSWER_PHOTOS }) : t('ru', 'official.photo_added', { count: 2, max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.send')));
    const revised = await lastAnswer(messageId);
    expect(revised).toMatchObject({ id: answer.id, state: 'draft', text: 'Второй вариант.' });
    expect((await answerPhotoRows(answer.id)).map((p) => p.file_id)).toEqual([fileIdOf(executor, first), expect.any(String)]);
  });

  it('an album (a VK message with several photos) where the text is asked gets one "kept" line with its final count', async () => {
    await needsApproval(false);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`));
    await sendPhotos(executor, [newPhoto(), newPhoto(), newPhoto()]);
    expect(executor.replyTexts).toEqual([t('ru', 'official.photo_kept_text', { count: 3, max: MAX_ANSWER_PHOTOS })]);
    expect(executor.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).toEqual([t('ru', 'dialog.cancel')]);
    await executor.say('Фотоотчёт без подписи.');
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.confirm_photos', { count: 3, max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.send')));
    expect(await answerPhotoRows((await lastAnswer(messageId)).id)).toHaveLength(3);
  });

  it('"Without photos" in a revision: the revised answer goes with none of its photos, those of the first answer included', async () => {
    await needsApproval(true);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { chatId, messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`));
    await sendPhotos(executor, [newPhoto()], 'Первый вариант.');
    await executor.say(press(t('ru', 'official.send')));
    const answer = await lastAnswer(messageId);
    await eventually(async () => (await answerPhotoRows(answer.id))[0]?.media_id !== null, 10_000, 'the copy');
    await returnAnswer(db.db, { answerId: answer.id, remark: 'Фото не то, без него', actor: { kind: 'staff', staffId: staff.curator } }, harness.now());
    // The executor is told it was returned before going on (that notice is no reply of the dialog's).
    harness.app.kickOutbox();
    await eventually(async () => (await db.db.selectFrom('outbox').select('id').where('state', 'in', ['pending', 'sending']).execute()).length === 0, 10_000, 'the outbox drained');

    await executor.say(tap(`!ans:i:${messageId}`), 'Второй вариант.');
    // The check counts the photo the answer has, and offers to send it without.
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.confirm_photos', { count: 1, max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.remove_photos')));
    expect(executor.replyTexts[0]).toBe(t('ru', 'official.photos_removed_all'));
    expect(executor.replyTexts[1]).toContain(t('ru', 'official.confirm_photos_hint', { max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.send')));
    const revised = await lastAnswer(messageId);
    expect(revised).toMatchObject({ id: answer.id, state: 'draft', text: 'Второй вариант.', media_ids: [] });
    expect(await answerPhotoRows(answer.id)).toEqual([]);

    const curator = await linked(staff.curator, channel, 'Куратор');
    await curator.say(tap(`!apr:a:${answer.id}`));
    await eventually(async () => residentSaw(channel, chatId).texts.length > 0, 10_000, 'the approved answer');
    await new Promise((r) => setTimeout(r, 300));
    const seen = residentSaw(channel, chatId);
    expect(seen.texts).toEqual([t('ru', 'notify.answer_intermediate', { messageId, text: 'Второй вариант.' })]);
    expect(seen.photos).toEqual([]);
  });

  it('"Without photos" in a revision drops a photo still being copied too (its download keeps failing)', async () => {
    await needsApproval(true);
    const staff = await staffOf();
    const executor = await linked(staff.executor, channel, 'Исполнитель');
    const { messageId } = await messageInWork(staff, channel);
    await executor.say(tap(`!ans:i:${messageId}`));
    await sendPhotos(executor, [newPhoto(false)], 'Первый вариант.');
    await executor.say(press(t('ru', 'official.send')));
    const answer = await lastAnswer(messageId);
    // No bytes behind the photo: its copy fails (after the commit; under load it may still be running), then, as after a passing fault, it is to be tried again in an hour ("copying").
    await eventually(async () => (await answerPhotoRows(answer.id))[0]?.copy_error != null, 10_000, 'the failed copy attempt');
    await db.db
      .updateTable('answer_photo')
      .set({ copy_due_at: new Date(harness.now().getTime() + 3_600_000), copy_error: 'answered 502' })
      .where('answer_id', '=', answer.id)
      .execute();
    expect((await apiAnswers(messageId, staff.curator))[0]!.photos.map((p) => p.copy)).toEqual(['copying']);
    await returnAnswer(db.db, { answerId: answer.id, remark: 'Без фото', actor: { kind: 'staff', staffId: staff.curator } }, harness.now());
    harness.app.kickOutbox();
    await eventually(async () => (await db.db.selectFrom('outbox').select('id').where('state', 'in', ['pending', 'sending']).execute()).length === 0, 10_000, 'the outbox drained');

    await executor.say(tap(`!ans:i:${messageId}`), 'Второй вариант.');
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.confirm_photos', { count: 1, max: MAX_ANSWER_PHOTOS }));
    await executor.say(press(t('ru', 'official.remove_photos')));
    await executor.say(press(t('ru', 'official.send')));
    expect(await lastAnswer(messageId)).toMatchObject({ id: answer.id, state: 'draft', text: 'Второй вариант.', media_ids: [] });
    expect(await answerPhotoRows(answer.id)).toEqual([]);
  });
});
