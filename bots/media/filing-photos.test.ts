import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueKey } from '../../core/access/api-keys.service.ts';
import { createStaff } from '../../core/access/staff.service.ts';
import { acceptIncident, dismissIncident } from '../../core/incidents/incidents.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { LATE_PHOTOS_KIND, recordCopies } from '../../core/messages/photo-copies.ts';
import { createLinkCode, staffStartPayload } from '../../core/staff/link-codes.ts';
import { type Chat, filedMessageId, newChat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile, TEST_VK_GROUP_ID, TEST_VK_SECRET } from '../../test/bots/harness.ts';
import type { ChannelName } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { jpegBytes } from '../../test/media/files.ts';
import { eventually } from '../../test/outbox.ts';
import { categoryId } from '../../test/residents.ts';
import { demoStaff, operatorId } from '../../test/staff.ts';
import { createTranslator } from '../i18n.ts';

/**
 * A resident files a message with photos in one messenger; the executor works in the other. The
 * photos are copied into the media store after the filing (the app's own copier, polling every
 * 50 ms), and the card reaches the executor with them as that messenger's photos, each uploaded
 * there once. Everything goes through the real webhooks and the app's own outbox sender against the
 * fake Bot API and VK API (and VK's file servers, served by the fake).
 */
let db: TestDatabase;
let harness: BotHarness;
/** The app's clock runs ahead by this much (a retry's wait passes without waiting). */
let ahead = 0;
const RETRY_BASE_MS = 60_000;
botHarnessPerFile(
  (opened, started) => {
    db = opened;
    harness = started;
  },
  { outbox: 'all', clock: () => new Date(Date.now() + ahead), env: { MEDIA_COPY_POLL_MS: '50', MEDIA_COPY_RETRY_BASE_MS: String(RETRY_BASE_MS) } },
);

const t = createTranslator();
/** Telegram's file ids of the largest sizes of fixtures/telegram/file-message.json's two photos. */
const TG_PHOTOS = ['AgACAgIAAxkBAAEBphoto1-l', 'AgACAgIAAxkBAAEBphoto2-l'];
/** The URLs of the largest sizes of fixtures/vk/file-message.json's two photos. */
const VK_URLS = ['https://sun9-1.userapi.com/w.jpg', 'https://sun9-1.userapi.com/x.jpg'];

/** The resident's photos on the fake Telegram: real JPEG headers, distinct bytes per test. */
function telegramFiles(seed: number): Uint8Array[] {
  return TG_PHOTOS.map((fileId, i) => {
    const bytes = jpegBytes(3000, seed + i);
    harness.fake.files.set(fileId, { path: `photos/${fileId}.jpg`, bytes, contentType: 'image/jpeg' });
    return bytes;
  });
}

/** The same on VK's file servers. */
function vkFiles(seed: number): Uint8Array[] {
  return VK_URLS.map((url, i) => {
    const bytes = jpegBytes(3000, seed + i);
    harness.vkFake.files.set(url, { bytes, contentType: 'image/jpeg' });
    return bytes;
  });
}

/** A new executor organisation's officials, each linked in `channel` through `/start staff_<code>`. */
async function executorOfficials(channel: ChannelName, count: number): Promise<{ executorId: number; chats: Chat[] }> {
  const kemerovo = db.demo.municipalities.Kemerovo;
  const executor = await db.db
    .insertInto('executor')
    .values({ municipality_id: kemerovo, name: `Подрядчик ${channel}-${Date.now()}`, kind: 'organisation' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const chats: Chat[] = [];
  for (let i = 0; i < count; i++) {
    const staff = await createStaff(db.db, { fullName: `Исполнитель ${i + 1}`, role: 'executor', municipalityId: kemerovo, executorId: executor.id });
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: staff.id }, harness.now());
    const chat = newChat(harness, channel, 'Сотрудник');
    await chat.say(`/start ${staffStartPayload(code)}`);
    chats.push(chat);
  }
  return { executorId: executor.id, chats };
}

/** A resident of `channel` registers and files fixtures' message with its two photos; its id. */
async function filedWithPhotos(channel: ChannelName): Promise<number> {
  const resident = newChat(harness, channel, 'Анна');
  await resident.playFixture('registration.json');
  await resident.playFixture('file-message.json');
  return filedMessageId(db, resident);
}

const photoRows = (messageId: number) =>
  db.db.selectFrom('message_photo').select(['id', 'media_id', 'copy_due_at', 'copy_attempts', 'copy_error']).where('message_id', '=', messageId).orderBy('position').execute();

/** Until every photo is copied or its attempt has failed. */
async function copiesSettled(messageId: number): Promise<void> {
  await eventually(async () => (await photoRows(messageId)).every((p) => p.media_id !== null || p.copy_error !== null), 10_000, 'copies settled');
}

async function accept(messageId: number, executorId: number): Promise<void> {
  const { moderator } = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  await acceptMessage(db.db, { messageId, executorId, actor: { kind: 'staff', staffId: moderator } }, harness.now());
  harness.app.kickOutbox();
}

const storedBytes = async (messageId: number) =>
  db.db
    .selectFrom('message_photo as p')
    .innerJoin('media as m', 'm.id', 'p.media_id')
    .select(['m.sha256', 'm.origin', 'm.size_bytes', 'm.municipality_id'])
    .where('p.message_id', '=', messageId)
    .orderBy('p.position')
    .execute();

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const vkCardTo = (chat: Chat) => harness.vkFake.calls.filter((c) => c.method === 'messages.send' && c.params.peer_id === chat.externalId && c.params.message?.includes('назначено'));

async function api(path: string) {
  const { moderator } = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  const key = (await issueKey(db.db, { staffId: moderator, label: 'test', createdBy: null }, harness.now())).token;
  return fetch(`${harness.url}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
}

const incidentPhotos = (incidentId: number) => db.db.selectFrom('incident_photo').select(['media_id', 'copy_due_at', 'copy_error']).where('incident_id', '=', incidentId).orderBy('position').execute();

/** A post with `urls` as its photos on the community's wall (a VK Callback event): its open-source item. */
async function wallPost(postId: number, urls: string[]) {
  const sizes = (url: string) => [
    { url: url.replace('.jpg', '-s.jpg'), width: 100, height: 75 },
    { url, width: 1280, height: 960 },
  ];
  const post = {
    type: 'wall_post_new',
    group_id: TEST_VK_GROUP_ID,
    secret: TEST_VK_SECRET,
    v: '5.199',
    event_id: `wall-photos-${postId}`,
    object: {
      id: postId,
      owner_id: -TEST_VK_GROUP_ID,
      from_id: 700000081,
      date: 1_796_100_000,
      text: 'Во дворе Весенней 9 яма',
      attachments: urls.map((url, i) => ({ type: 'photo', photo: { id: postId * 10 + i, owner_id: 700000081, sizes: sizes(url) } })),
    },
  };
  expect(await (await harness.postVk(post)).text()).toBe('ok');
  return db.db.selectFrom('incident').select(['id', 'photos']).where('source_url', '=', `https://vk.com/wall-${TEST_VK_GROUP_ID}_${postId}`).executeTakeFirstOrThrow();
}

/** Triage accepts the item into Kemerovo's roads with `executorId`. */
async function acceptItem(incidentId: number, executorId: number) {
  const { moderator } = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  const { message } = await acceptIncident(
    db.db,
    { municipalityId: db.demo.municipalities.Kemerovo, executorId: null },
    { incidentId, municipalityId: db.demo.municipalities.Kemerovo, categoryId: await categoryId(db.db, 'roads.pothole'), executorId, actor: { kind: 'staff', staffId: moderator } },
    harness.now(),
  );
  return message;
}

describe("a resident's photos on the executor's card in the other messenger", () => {
  it('Telegram resident → VK executors: the photos arrive as VK photos, each uploaded to VK once', async () => {
    const bytes = telegramFiles(1);
    const messageId = await filedWithPhotos('tg');
    await copiesSettled(messageId);
    const rows = await photoRows(messageId);
    expect(rows.map((r) => [r.media_id !== null, r.copy_due_at, r.copy_attempts, r.copy_error])).toEqual([
      [true, null, 1, null],
      [true, null, 1, null],
    ]);
    expect((await storedBytes(messageId)).map((m) => [m.origin, m.sha256, m.municipality_id])).toEqual(bytes.map((b) => ['tg', sha256(b), db.demo.municipalities.Kemerovo]));

    const { executorId, chats } = await executorOfficials('vk', 2);
    harness.vkFake.reset();
    await accept(messageId, executorId);
    await harness.vkFake.waitFor(() => chats.every((chat) => vkCardTo(chat).length > 0), 10_000);

    // Two photos, two uploads to VK (not four): the second official's card reuses the attachments.
    expect(harness.vkFake.calls.filter((c) => c.method === 'photos.getMessagesUploadServer')).toHaveLength(2);
    expect(harness.vkFake.calls.filter((c) => c.method === 'photos.saveMessagesPhoto')).toHaveLength(2);
    const uploads = harness.vkFake.uploads.slice(-2);
    expect(uploads.map((u) => [u.kind, u.size])).toEqual(bytes.map((b) => ['photo', b.byteLength]));
    const attachments = uploads.map((u) => `photo-229000001_${u.id}_key${u.id}`).join(',');
    for (const chat of chats) {
      const [card] = vkCardTo(chat);
      expect(card!.params.attachment).toBe(attachments);
      expect(card!.params.message).toContain(`№${messageId}`);
      // Every photo is shown: no note about photos left in Telegram.
      expect(card!.params.message).not.toContain('Фото к сообщению');
      expect(card!.params.message).not.toContain('Не показаны фото');
    }
    // Telegram's own file ids were remembered for the copies: nothing would be uploaded back to Telegram.
    const remembered = await db.db
      .selectFrom('media_upload')
      .select(['channel', 'file_ref'])
      .where(
        'sha256',
        'in',
        (await storedBytes(messageId)).map((m) => m.sha256),
      )
      .orderBy('file_ref')
      .execute();
    expect(remembered).toEqual(
      [...TG_PHOTOS.map((id) => ({ channel: 'tg', file_ref: id })), ...uploads.map((u) => ({ channel: 'vk', file_ref: `photo-229000001_${u.id}_key${u.id}` }))].sort((a, b) =>
        a.file_ref.localeCompare(b.file_ref),
      ),
    );
  });

  it('VK resident → Telegram executors: the photos arrive as Telegram photos, each uploaded to Telegram once', async () => {
    const bytes = vkFiles(11);
    const messageId = await filedWithPhotos('vk');
    await copiesSettled(messageId);
    expect((await storedBytes(messageId)).map((m) => [m.origin, m.sha256])).toEqual(bytes.map((b) => ['vk', sha256(b)]));
    expect(harness.vkFake.downloads.slice(-2)).toEqual(VK_URLS);

    const { executorId, chats } = await executorOfficials('tg', 2);
    harness.fake.reset();
    const uploadsBefore = harness.fake.uploads.length;
    await accept(messageId, executorId);
    const cardTo = (chat: Chat) => harness.fake.callsOf('sendMessage', chat.externalId).filter((c) => String(c.params.text).includes('назначено'));
    await harness.fake.waitFor(() => chats.every((chat) => cardTo(chat).length > 0), 10_000);

    const uploads = harness.fake.uploads.slice(uploadsBefore);
    expect(uploads.map((u) => [u.method, u.size])).toEqual(bytes.map((b) => ['sendMediaGroup', b.byteLength]));
    // Each official gets both photos as one album, before the card; the first album uploads them, the other sends Telegram's file ids.
    const albumsTo = (chat: Chat) => harness.fake.callsOf('sendMediaGroup', chat.externalId).map((c) => (c.params.media as { type: string; media: string }[]).map((m) => [m.type, m.media]));
    for (const chat of chats) {
      expect(albumsTo(chat)).toHaveLength(1);
      expect(harness.fake.callsOf('sendPhoto', chat.externalId)).toEqual([]);
      const sends = harness.fake.calls.filter((c) => String(c.params.chat_id) === chat.externalId);
      expect(sends.findIndex((c) => c.method === 'sendMediaGroup')).toBeLessThan(sends.indexOf(cardTo(chat)[0]!));
    }
    const albums = chats.map((chat) => albumsTo(chat)[0]!);
    const uploaded = albums.find((album) => album.every(([, media]) => String(media).startsWith('attach://')));
    const reused = albums.find((album) => album !== uploaded);
    expect(uploaded).toHaveLength(2);
    expect(reused).toEqual(uploads.map((u) => ['photo', u.fileId]));
    for (const chat of chats) expect(cardTo(chat)[0]!.params.text).not.toContain('Фото к сообщению');

    // The API (and the web console through it) shows VK photos too now: from the store.
    const photo = await api(`/messages/${messageId}/photos/1`);
    expect(photo.status).toBe(200);
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(bytes[1]);
  });

  it('a failed download leaves the card with the count note, never holding it back, and is retried; the API then serves the copy', async () => {
    const bytes = telegramFiles(21);
    // Telegram's file API fails once: one of the two photos is not copied at the first attempt.
    harness.fake.failNext({ status: 502, description: 'Bad Gateway' }, { method: 'getFile' });
    const messageId = await filedWithPhotos('tg');
    await copiesSettled(messageId);
    const rows = await photoRows(messageId);
    const failed = rows.find((r) => r.media_id === null)!;
    expect(rows.filter((r) => r.media_id !== null)).toHaveLength(1);
    expect(failed).toMatchObject({ copy_attempts: 1, copy_error: 'getFile answered 502' });
    expect(failed.copy_due_at!.getTime() - (Date.now() + ahead)).toBeGreaterThan(RETRY_BASE_MS - 10_000);

    const { executorId, chats } = await executorOfficials('vk', 1);
    const [official] = chats as [Chat];
    await accept(messageId, executorId);
    await harness.vkFake.waitFor(() => vkCardTo(official).length > 0, 10_000);
    const [card] = vkCardTo(official);
    expect(card!.params.attachment?.split(',')).toHaveLength(1);
    // The other photo's copy is to be retried: the note says it follows, not that it could not be brought.
    expect(card!.params.message).toContain(t('ru', 'alert.photos_following_some', { count: 1, total: 2, messenger: 'Telegram' }));
    expect(card!.params.message).not.toContain(t('ru', 'alert.photos_elsewhere_some', { count: 1, total: 2, messenger: 'Telegram' }));

    // The retry's wait passes: the copier tries again and the copy is made.
    ahead += RETRY_BASE_MS + 1000;
    await eventually(async () => (await photoRows(messageId)).every((r) => r.media_id !== null), 10_000, 'the retried copy');
    expect((await photoRows(messageId)).find((r) => r.id === failed.id)).toMatchObject({ copy_attempts: 2, copy_due_at: null, copy_error: null });

    // The API lists both copies and serves the photo's bytes from the store, without asking Telegram.
    const listed = (await (await api(`/messages/${messageId}`)).json()) as { photos: { channel: string; mediaId: number | null }[] };
    expect(listed.photos.map((p) => [p.channel, p.mediaId !== null])).toEqual([
      ['tg', true],
      ['tg', true],
    ]);
    const index = rows.indexOf(failed);
    const getFiles = harness.fake.callsOf('getFile').length;
    const photo = await api(`/messages/${messageId}/photos/${index}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(bytes[index]);
    expect(harness.fake.callsOf('getFile')).toHaveLength(getFiles);
  });

  it('copies made after the card went out follow it to its officials, in one message per official, once', async () => {
    const bytes = telegramFiles(31);
    // Telegram's file API fails for both photos: the cards go out before any copy exists.
    harness.fake.failNext({ status: 502, description: 'Bad Gateway' }, { method: 'getFile' });
    harness.fake.failNext({ status: 502, description: 'Bad Gateway' }, { method: 'getFile' });
    const messageId = await filedWithPhotos('tg');
    await copiesSettled(messageId);
    expect((await photoRows(messageId)).map((r) => r.media_id)).toEqual([null, null]);

    const { executorId, chats } = await executorOfficials('vk', 2);
    await accept(messageId, executorId);
    await harness.vkFake.waitFor(() => chats.every((chat) => vkCardTo(chat).length > 0), 10_000);
    for (const chat of chats) {
      expect(vkCardTo(chat)[0]!.params.attachment ?? '').toBe('');
      // The copies are being retried and will follow the card: the official is told so, not sent to the web console.
      expect(vkCardTo(chat)[0]!.params.message).toContain(t('ru', 'alert.photos_following', { count: 2, messenger: 'Telegram' }));
      expect(vkCardTo(chat)[0]!.params.message).not.toContain(t('ru', 'alert.photos_elsewhere', { count: 2, messenger: 'Telegram' }));
    }

    // The retry's wait passes: both copies are made, and each official gets them after the card.
    const late = t('ru', 'alert.late_photos', { messageId });
    const followUpTo = (chat: Chat) => harness.vkFake.calls.filter((c) => c.method === 'messages.send' && c.params.peer_id === chat.externalId && c.params.message === late);
    ahead += RETRY_BASE_MS + 1000;
    await harness.vkFake.waitFor(() => chats.every((chat) => followUpTo(chat).length > 0), 10_000);
    expect((await storedBytes(messageId)).map((m) => m.sha256)).toEqual(bytes.map(sha256));
    const uploads = harness.vkFake.uploads.slice(-2);
    expect(uploads.map((u) => u.size)).toEqual(bytes.map((b) => b.byteLength));
    const attachments = uploads.map((u) => `photo-229000001_${u.id}_key${u.id}`).join(',');
    for (const chat of chats) {
      expect(followUpTo(chat).map((c) => c.params.attachment)).toEqual([attachments]);
      // After the card, never before it.
      const sends = harness.vkFake.calls.filter((c) => c.method === 'messages.send' && c.params.peer_id === chat.externalId);
      expect(sends.indexOf(followUpTo(chat)[0]!)).toBeGreaterThan(sends.indexOf(vkCardTo(chat)[0]!));
    }

    // Once: another pass, or another copier recording the same copies (its lease had run out), queues nothing more.
    await harness.app.photoCopier.runOnce();
    const copies = (await photoRows(messageId)).map((r) => ({ photoId: r.id, mediaId: r.media_id! }));
    expect(await recordCopies(db.db, messageId, copies)).toBe(0);
    const followUps = await db.db.selectFrom('outbox').select(['chat_id', 'payload']).where('kind', '=', LATE_PHOTOS_KIND).execute();
    expect(followUps.filter((r) => r.payload.params?.messageId === messageId)).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const chat of chats) expect(followUpTo(chat)).toHaveLength(1);
  });

  it("a VK wall post's photos are copied at intake, not at triage: accepted after VK's URLs expired, Telegram officials get them with the card", async () => {
    const urls = ['https://sun9-7.userapi.com/wall-a.jpg', 'https://sun9-7.userapi.com/wall-b.jpg'];
    const bytes = urls.map((url, i) => {
      const b = jpegBytes(3000, 41 + i);
      harness.vkFake.files.set(url, { bytes: b, contentType: 'image/jpeg' });
      return b;
    });
    const item = await wallPost(811, urls);
    expect(item.photos).toEqual(urls);

    // Nobody triages it yet: the copier downloads its photos after the intake (the region's files: the community's wall serves the region).
    await eventually(async () => (await incidentPhotos(item.id)).every((p) => p.media_id !== null), 10_000, 'item photos copied');
    const copies = await db.db
      .selectFrom('incident_photo as p')
      .innerJoin('media as m', 'm.id', 'p.media_id')
      .select(['m.sha256', 'm.origin', 'm.municipality_id'])
      .where('p.incident_id', '=', item.id)
      .orderBy('p.position')
      .execute();
    expect(copies.map((m) => [m.origin, m.sha256, m.municipality_id])).toEqual(bytes.map((b) => ['vk', sha256(b), null]));

    // Days later VK's signed URLs no longer answer; triage accepts the item into Kemerovo.
    for (const url of urls) harness.vkFake.files.delete(url);
    const { executorId, chats } = await executorOfficials('tg', 1);
    const [official] = chats as [Chat];
    harness.fake.reset();
    const uploadsBefore = harness.fake.uploads.length;
    const message = await acceptItem(item.id, executorId);
    harness.app.kickOutbox();
    // The card comes with both photos as one album (before it), no note of photos to follow.
    const cardTo = () => harness.fake.callsOf('sendMessage', official.externalId).filter((c) => String(c.params.text).includes('назначено'));
    await harness.fake.waitFor(() => cardTo().length > 0, 10_000);
    const albums = harness.fake.callsOf('sendMediaGroup', official.externalId);
    expect(albums).toHaveLength(1);
    expect(harness.fake.uploads.slice(uploadsBefore).map((u) => [u.method, u.size])).toEqual(bytes.map((b) => ['sendMediaGroup', b.byteLength]));
    const sends = harness.fake.calls.filter((c) => String(c.params.chat_id) === official.externalId);
    expect(sends.indexOf(albums[0]!)).toBeLessThan(sends.indexOf(cardTo()[0]!));
    expect(cardTo()[0]!.params.text).not.toContain('Фото к сообщению');
    // The message's photos are the copies, as Kemerovo's files (its officials may open them); nothing was downloaded again.
    expect((await storedBytes(message.id)).map((m) => [m.origin, m.sha256, m.municipality_id])).toEqual(bytes.map((b) => ['vk', sha256(b), db.demo.municipalities.Kemerovo]));
    expect(await db.db.selectFrom('message_photo').select(['copy_due_at', 'copy_error']).where('message_id', '=', message.id).execute()).toEqual([
      { copy_due_at: null, copy_error: null },
      { copy_due_at: null, copy_error: null },
    ]);
    const photo = await api(`/messages/${message.id}/photos/1`);
    expect(photo.status).toBe(200);
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(bytes[1]);
  });

  it("a photo still being copied at triage goes on from the message's queue and follows the card; a dismissed item's waiting photos leave the queue", async () => {
    const url = 'https://sun9-8.userapi.com/wall-late.jpg';
    // VK's file server is down at intake: the copy is to be retried a minute later.
    harness.vkFake.failDownloads(1);
    const item = await wallPost(812, [url]);
    await eventually(async () => (await incidentPhotos(item.id))[0]!.copy_error !== null, 10_000, 'first attempt failed');
    const bytes = jpegBytes(3000, 51);
    harness.vkFake.files.set(url, { bytes, contentType: 'image/jpeg' });

    const { executorId, chats } = await executorOfficials('tg', 1);
    const [official] = chats as [Chat];
    harness.fake.reset();
    const message = await acceptItem(item.id, executorId);
    harness.app.kickOutbox();
    // The item's row left its queue (not downloaded twice); the message's copier takes it and the copy follows the card.
    expect(await incidentPhotos(item.id)).toEqual([]);
    const late = t('ru', 'alert.late_photos', { messageId: message.id });
    await harness.fake.waitFor(() => harness.fake.callsOf('sendMessage', official.externalId).some((c) => c.params.text === late), 10_000);
    expect((await storedBytes(message.id)).map((m) => m.sha256)).toEqual([sha256(bytes)]);

    // A dismissed item: its photo waiting for a retry is dropped from the queue.
    const other = 'https://sun9-8.userapi.com/wall-dismissed.jpg';
    harness.vkFake.failDownloads(1);
    const dismissed = await wallPost(813, [other]);
    await eventually(async () => (await incidentPhotos(dismissed.id))[0]!.copy_error !== null, 10_000, 'first attempt failed');
    const { moderator } = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
    await dismissIncident(
      db.db,
      { municipalityId: db.demo.municipalities.Kemerovo, executorId: null },
      { incidentId: dismissed.id, reason: 'Не по теме', actor: { kind: 'staff', staffId: moderator } },
      harness.now(),
    );
    expect(await incidentPhotos(dismissed.id)).toEqual([]);
  });

  it('a photo VK no longer serves is given up at once: the Telegram card counts it, as before copies existed', async () => {
    for (const url of VK_URLS) harness.vkFake.files.delete(url);
    const messageId = await filedWithPhotos('vk');
    await copiesSettled(messageId);
    expect((await photoRows(messageId)).map((r) => [r.media_id, r.copy_due_at, r.copy_attempts, r.copy_error])).toEqual([
      [null, null, 1, 'VK file download answered 404'],
      [null, null, 1, 'VK file download answered 404'],
    ]);

    const { executorId, chats } = await executorOfficials('tg', 1);
    const [official] = chats as [Chat];
    harness.fake.reset();
    await accept(messageId, executorId);
    const cardTo = () => harness.fake.callsOf('sendMessage', official.externalId).filter((c) => String(c.params.text).includes('назначено'));
    await harness.fake.waitFor(() => cardTo().length > 0, 10_000);
    expect(harness.fake.callsOf('sendPhoto', official.externalId)).toEqual([]);
    expect(cardTo()[0]!.params.text).toContain(t('ru', 'alert.photos_elsewhere', { count: 2, messenger: 'VK' }));
  });
});
