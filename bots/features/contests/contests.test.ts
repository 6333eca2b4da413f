import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceContests, createContest, publishContest, withdrawContest } from '../../../core/contests/contests.ts';
import { announce } from '../../../core/broadcasts/broadcasts.ts';
import type { DrawingFormat, EntryKind } from '../../../core/contests/contest.table.ts';
import { dialogStateOf, newChat, registeredChat, residentOf, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, type ChannelName, other, press, tap } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { expandFully } from '../../../test/expand.ts';
import { jpegBytes, mp4Bytes } from '../../../test/media/files.ts';
import { registeredResident } from '../../../test/residents.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

/** A stand-in for VK's file servers (userapi.com): serves the bytes registered under a path. */
const vkFiles = new Map<string, { bytes: Uint8Array; type: string }>();
let fileServer: Server;
let filesUrl = '';
beforeAll(async () => {
  fileServer = createServer((req, res) => {
    const file = vkFiles.get(req.url ?? '');
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type });
    res.end(Buffer.from(file.bytes));
  });
  await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  fileServer.closeAllConnections();
  await new Promise<void>((resolve) => fileServer.close(() => resolve()));
});

let seq = 0;
async function openContest(options: { entryKind?: EntryKind; drawingFormat?: DrawingFormat; state?: 'entries_open' | 'voting_open'; maxDurationSeconds?: number; maxSizeMb?: number } = {}) {
  const now = harness.now();
  const day = 86_400_000;
  const contest = await createContest(
    db.db,
    {
      municipalityId: db.demo.municipalities.Kemerovo,
      createdByStaffId: null,
      title: `Конкурс ${++seq}`,
      organiser: 'Администрация',
      terms: 'Снимайте зиму',
      topic: 'Зима',
      prizes: 'Сертификат',
      drawingFormat: options.drawingFormat ?? 'audience_vote',
      winnersCount: 1,
      entryKind: options.entryKind ?? 'photo',
      entriesFrom: new Date(now.getTime() - day),
      entriesTo: new Date(now.getTime() + 5 * day),
      votingFrom: new Date(now.getTime() + 5 * day),
      votingTo: new Date(now.getTime() + 10 * day),
      resultsOn: new Date(now.getTime() + 11 * day),
      maxDurationSeconds: options.maxDurationSeconds ?? null,
      maxSizeMb: options.maxSizeMb ?? null,
    },
    now,
  );
  await db.db
    .updateTable('contest')
    .set({ state: options.state ?? 'entries_open' })
    .where('id', '=', contest.id)
    .execute();
  return contest;
}

const resident = async (channel: ChannelName, name: string): Promise<Chat> => (await registeredChat(db, harness, channel, 'Kemerovo', name)).chat;

let fileSeq = 0;
/** A photo as each messenger delivers it: Telegram sizes with a file id (served by getFile), VK sizes with a URL. */
function photoUpdate(chat: Chat, bytes: Uint8Array) {
  const n = ++fileSeq;
  if (chat.channel === 'tg') {
    harness.fake.files.set(`AgACentry${n}`, { path: `photos/entry_${n}.jpg`, bytes, contentType: 'image/jpeg' });
    return { message: { photo: [{ file_id: `AgACentry${n}`, file_unique_id: `AQADentry${n}`, width: 1280, height: 960, file_size: bytes.byteLength }] } };
  }
  vkFiles.set(`/photo${n}.jpg`, { bytes, type: 'image/jpeg' });
  return {
    type: 'message_new',
    object: { message: { attachments: [{ type: 'photo', photo: { id: 456_000 + n, owner_id: chat.userId, sizes: [{ type: 'x', width: 1280, height: 960, url: `${filesUrl}/photo${n}.jpg` }] } }] } },
  };
}

/** The media rows and the files in the app's disk store (DATA_DIR), to tell whether a work was copied. */
async function storedMedia(): Promise<{ rows: number; files: number }> {
  const rows = (await db.db.selectFrom('media').select('id').execute()).length;
  const dir = path.join(harness.dataDir, 'media');
  const files = existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0;
  return { rows, files };
}

/** A video: Telegram `video` (file id, duration), VK a document with its URL (what a community bot can download). */
function videoUpdate(chat: Chat, bytes: Uint8Array, duration: number) {
  const n = ++fileSeq;
  if (chat.channel === 'tg') {
    harness.fake.files.set(`BAACvideo${n}`, { path: `videos/entry_${n}.mp4`, bytes, contentType: 'video/mp4' });
    return { message: { video: { file_id: `BAACvideo${n}`, file_unique_id: `AgADvideo${n}`, width: 720, height: 1280, duration, mime_type: 'video/mp4', file_size: bytes.byteLength } } };
  }
  vkFiles.set(`/doc${n}.mp4`, { bytes, type: 'video/mp4' });
  return {
    type: 'message_new',
    object: { message: { attachments: [{ type: 'doc', doc: { id: 7000 + n, owner_id: chat.userId, title: 'dance.mp4', ext: 'mp4', size: bytes.byteLength, url: `${filesUrl}/doc${n}.mp4` } }] } },
  };
}

const contestLabel = (title: string, state = 'state_entries_open') => t('ru', 'contests.list_item', { title, state: t('ru', `contests.${state}`) });

/** A photo in the store, already uploaded to both messengers (its Telegram file id and VK attachment saved): its media id. */
async function storedPhoto(sha256: string, tgRef: string, vkRef: string): Promise<number> {
  const media = await db.db
    .insertInto('media')
    .values({ sha256, mime: 'image/jpeg', kind: 'image', size_bytes: 10, municipality_id: db.demo.municipalities.Kemerovo, created_by_staff_id: null, origin: 'tg' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db
    .insertInto('media_upload')
    .values([
      { sha256, channel: 'tg', file_ref: tgRef },
      { sha256, channel: 'vk', file_ref: vkRef },
    ])
    .execute();
  return media.id;
}

/** An accepted photo entry sent from Telegram. */
const acceptedEntry = (contestId: number, residentId: number, mediaId: number, caption: string) =>
  db.db
    .insertInto('contest_entry')
    .values({ contest_id: contestId, resident_id: residentId, channel: 'tg', media_id: mediaId, media_kind: 'photo', caption, state: 'accepted' })
    .returning('id')
    .executeTakeFirstOrThrow();

/** /contests, the contest in voting, its gallery with the Vote button. */
async function openGallery(chat: Chat, title: string) {
  await chat.say('/contests');
  await chat.say(press(contestLabel(title, 'state_voting_open')));
  await chat.say(press(t('ru', 'contests.gallery_vote')));
}

/** Links `other` to `tg`'s resident with the code /link gives in Telegram. */
async function linkFromTelegram(tg: Chat, other: Chat) {
  await tg.say('/link');
  const code = /\/link ([a-z0-9]+)/.exec(tg.replyTexts.join('\n'))?.[1];
  await other.say(`/link ${code!}`);
}

/** The contest's "entries open" announcement, delivered to the residents of Kemerovo subscribed to contests. */
async function announceEntriesOpen(contest: { id: number; title: string | null }) {
  const broadcastId = await announce(db.db, {
    audience: { municipalityId: db.demo.municipalities.Kemerovo, topic: 'contests' },
    message: { key: 'contests.entries_open', params: { title: contest.title, entriesTo: '—' }, keyboard: { kind: 'inline', rows: [[{ id: `!cto:${contest.id}`, label: 'contests.open_button' }]] } },
    source: `contest:${contest.id}`,
  });
  await expandFully(db.db, broadcastId);
}

async function startEntry(chat: Chat, title: string) {
  await chat.say('/contests');
  await chat.say(press(contestLabel(title)));
  expect(chat.replyTexts[0]).toContain(title);
  await chat.say(press(t('ru', 'contests.take_part')));
}

describe.each(CHANNELS)('%s: contests', (channel) => {
  it('lists open contests and takes a photo entry: copied into the store, caption, terms confirmed, pending moderation', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Вера');
    await startEntry(chat, contest.title!);
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_media', { title: contest.title, kind: t('ru', 'contests.kind_photo') })]);
    await chat.post(photoUpdate(chat, jpegBytes(3000, 7)));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say('x'.repeat(501));
    expect(chat.replyTexts[0]).toBe(t('ru', 'contests.caption_too_long', { max: 500, length: 501 }));
    await chat.say('Мой двор зимой');
    expect(chat.replyTexts[0]).toContain(contest.terms!);
    await chat.say(press(t('ru', 'contests.agree')));
    const entry = await db.db
      .selectFrom('contest_entry')
      .innerJoin('media', 'media.id', 'contest_entry.media_id')
      .selectAll('contest_entry')
      .select(['media.origin', 'media.kind', 'media.size_bytes'])
      .where('contest_id', '=', contest.id)
      .executeTakeFirstOrThrow();
    expect(chat.replyTexts[0]).toBe(t('ru', 'contests.entry_sent', { entryId: entry.id }));
    expect(entry).toMatchObject({ state: 'pending', caption: 'Мой двор зимой', media_kind: 'photo', channel, origin: channel, kind: 'image', resident_id: await residentOf(db, chat) });
    expect(Number(entry.size_bytes)).toBe(3000);

    // One entry per resident.
    await chat.say('/contests');
    await chat.say(press(contestLabel(contest.title!)));
    await chat.say(press(t('ru', 'contests.take_part')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.ENTRY_LIMIT_REACHED', { max: 1 }));
  });

  it('a sticker or a second photo where the caption is asked gets a hint that reads as words (no raw {{max}}) and the caption question again', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Рая');
    await startEntry(chat, contest.title!);
    await chat.post(photoUpdate(chat, jpegBytes(3000, 21)));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say(other('sticker'));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.caption_hint'), t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.post(photoUpdate(chat, jpegBytes(3100, 22)));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.caption_hint'), t('ru', 'contests.ask_caption', { max: 500 })]);
    expect(chat.replyTexts.join('\n')).not.toContain('{{');
    // The step goes on from where it is.
    await chat.say('Горка');
    expect(chat.replyTexts[0]).toContain(contest.terms!);
  });

  it('entries close while a resident is entering: "I agree" (or the work sent) says so once and ends the entry, not the same refusal for ever', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Лиля');
    await startEntry(chat, contest.title!);
    await chat.post(photoUpdate(chat, jpegBytes(3000, 23)));
    await chat.say('Каток');
    expect(chat.replyTexts[0]).toContain(contest.terms!);
    await db.db.updateTable('contest').set({ state: 'voting_open' }).where('id', '=', contest.id).execute();
    await chat.say(press(t('ru', 'contests.agree')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.CONTEST_NOT_OPEN'));
    expect(chat.replyTexts.join('\n')).not.toContain(contest.terms!);
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'menu.main'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await db.db.selectFrom('contest_entry').select('id').where('contest_id', '=', contest.id).execute()).toEqual([]);

    // The same when the work itself comes after entries closed.
    const other = await openContest();
    await startEntry(chat, other.title!);
    await db.db.updateTable('contest').set({ state: 'voting_open' }).where('id', '=', other.id).execute();
    await chat.post(photoUpdate(chat, jpegBytes(3000, 24)));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.CONTEST_NOT_OPEN'));
    expect(chat.replyTexts).not.toContain(t('ru', 'contests.ask_media', { title: other.title, kind: t('ru', 'contests.kind_photo') }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a work sent but the terms not confirmed, left for the menu, is said not to be entered', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Тая');
    await startEntry(chat, contest.title!);
    const stored = await storedMedia();
    await chat.post(photoUpdate(chat, jpegBytes(3000, 25)));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say('/menu');
    expect(chat.replyTexts[0]).toBe(t('ru', 'contests.draft_discarded'));
    expect(await db.db.selectFrom('contest_entry').select('id').where('contest_id', '=', contest.id).execute()).toEqual([]);
    // Nothing of the work was kept: no media row, no file in the store.
    expect(await storedMedia()).toEqual(stored);
  });

  it('a work dropped at the terms (Cancel) leaves no media row or file; copied only once the terms are agreed', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Ия');
    await startEntry(chat, contest.title!);
    const stored = await storedMedia();
    await chat.post(photoUpdate(chat, jpegBytes(3000, channel === 'tg' ? 26 : 27)));
    await chat.say('Сугробы');
    expect(chat.replyTexts[0]).toContain(contest.terms!);
    expect(await storedMedia()).toEqual(stored);
    await chat.say(press(t('ru', 'dialog.cancel')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.cancelled'));
    expect(await storedMedia()).toEqual(stored);

    // Entered again and agreed: now the work is copied, one row and one file.
    await startEntry(chat, contest.title!);
    await chat.post(photoUpdate(chat, jpegBytes(3000, channel === 'tg' ? 26 : 27)));
    await chat.say('Сугробы');
    await chat.say(press(t('ru', 'contests.agree')));
    expect(await storedMedia()).toEqual({ rows: stored.rows + 1, files: stored.files + 1 });
    const entry = await db.db.selectFrom('contest_entry').select(['media_id', 'media_kind']).where('contest_id', '=', contest.id).executeTakeFirstOrThrow();
    expect(entry.media_kind).toBe('photo');
  });

  it('a photo sent with its caption in one message (a Telegram caption, a VK text with the photo): no caption step, the caption is kept', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Зоя');
    await startEntry(chat, contest.title!);
    const update = photoUpdate(chat, jpegBytes(2600, 9)) as { message?: Record<string, unknown>; object?: { message: Record<string, unknown> } };
    if (chat.channel === 'tg') update.message!.caption = 'Горка во дворе';
    else update.object!.message.text = 'Горка во дворе';
    await chat.post(update);
    expect(chat.replyTexts).not.toContain(t('ru', 'contests.send_media'));
    expect(chat.replyTexts).not.toContain(t('ru', 'contests.ask_caption', { max: 500 }));
    // Nor "now send the work itself" before the work that came in the same message.
    expect(chat.replyTexts).not.toContain(t('ru', 'contests.caption_kept'));
    expect(chat.replyTexts.at(-1)).toContain(contest.terms!);
    await chat.say(press(t('ru', 'contests.agree')));
    const entry = await db.db.selectFrom('contest_entry').select('caption').where('contest_id', '=', contest.id).executeTakeFirstOrThrow();
    expect(entry.caption).toBe('Горка во дворе');
  });

  it('a video contest takes a video and refuses a photo and a video over its length', async () => {
    const contest = await openContest({ entryKind: 'video', maxDurationSeconds: 60 });
    const chat = await resident(channel, 'Глеб');
    await startEntry(chat, contest.title!);
    await chat.post(photoUpdate(chat, jpegBytes(2000)));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.ENTRY_KIND_NOT_ALLOWED'));
    if (channel === 'tg') {
      await chat.post(videoUpdate(chat, mp4Bytes(4000), 61));
      expect(chat.replyTexts[0]).toBe(t('ru', 'errors.ENTRY_TOO_LONG', { max: 60 }));
    } else {
      // A VK video attachment gives a community bot no file to download: the resident is asked for a file.
      await chat.post({ type: 'message_new', object: { message: { attachments: [{ type: 'video', video: { id: 456_239_017, owner_id: chat.userId, duration: 20, title: 'Танец' } }] } } });
      expect(chat.replyTexts[0]).toBe(t('ru', 'contests.send_as_file'));
    }
    await chat.post(videoUpdate(chat, mp4Bytes(4000), 30));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say(press(t('ru', 'contests.no_caption')));
    await chat.say(press(t('ru', 'contests.agree')));
    const entry = await db.db
      .selectFrom('contest_entry')
      .innerJoin('media', 'media.id', 'contest_entry.media_id')
      .select(['contest_entry.media_kind', 'media.kind', 'media.mime'])
      .where('contest_id', '=', contest.id)
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ media_kind: 'video', kind: 'video', mime: 'video/mp4' });
  });
});

describe.each(CHANNELS)('%s: a contest published ahead of its entries', (channel) => {
  it("the publication's announcement opens a card that says entries open soon (no Take part yet); entries opening is announced on its day with the button", async () => {
    const chat = await resident(channel, 'Вера');
    const now = harness.now();
    const day = 86_400_000;
    const contest = await createContest(
      db.db,
      {
        municipalityId: db.demo.municipalities.Kemerovo,
        createdByStaffId: null,
        title: `Будущий конкурс ${++seq}`,
        organiser: 'Администрация',
        terms: 'Снимайте весну',
        topic: 'Весна',
        prizes: 'Сертификат',
        drawingFormat: 'audience_vote',
        winnersCount: 1,
        entryKind: 'photo',
        entriesFrom: new Date(now.getTime() + 2 * day),
        entriesTo: new Date(now.getTime() + 7 * day),
        votingFrom: new Date(now.getTime() + 7 * day),
        votingTo: new Date(now.getTime() + 10 * day),
        resultsOn: new Date(now.getTime() + 11 * day),
      },
      now,
    );
    const expand = async () => {
      for (const { id } of await db.db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').execute()) await expandFully(db.db, id);
    };
    await publishContest(db.db, contest.id, now, null);
    await expand();
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(contest.title);
    await chat.say(press(t('ru', 'contests.open_button')));
    expect(chat.replyTexts.join('\n')).toContain(t('ru', 'contests.state_published'));
    const labels = chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label));
    expect(labels).not.toContain(t('ru', 'contests.take_part'));

    // Entries open on their day: announced then, and the card offers Take part.
    await advanceContests(db.db, new Date(now.getTime() + 2 * day));
    await expand();
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(t('ru', 'contests.entries_open', { title: contest.title, entriesTo: '' }).split('—')[0]!.trim());
    await chat.say(press(t('ru', 'contests.open_button')));
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).toContain(t('ru', 'contests.take_part'));
  });
});

describe.each(CHANNELS)('%s: a contest nobody entered', (channel) => {
  it('its results say there were no entries to choose winners from, not "Winners:" followed by nothing', async () => {
    const chat = await resident(channel, 'Зоя');
    const now = harness.now();
    const day = 86_400_000;
    const contest = await createContest(
      db.db,
      {
        municipalityId: db.demo.municipalities.Kemerovo,
        createdByStaffId: null,
        title: `Пустой конкурс ${++seq}`,
        organiser: 'Администрация',
        terms: 'Снимайте осень',
        topic: 'Осень',
        prizes: 'Сертификат',
        drawingFormat: 'audience_vote',
        winnersCount: 1,
        entryKind: 'photo',
        entriesFrom: new Date(now.getTime() + day),
        entriesTo: new Date(now.getTime() + 3 * day),
        votingFrom: new Date(now.getTime() + 3 * day),
        votingTo: new Date(now.getTime() + 5 * day),
        resultsOn: new Date(now.getTime() + 6 * day),
      },
      now,
    );
    const expand = async () => {
      for (const { id } of await db.db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').execute()) await expandFully(db.db, id);
    };
    await publishContest(db.db, contest.id, now, null);
    for (const days of [1, 3, 5]) await advanceContests(db.db, new Date(now.getTime() + days * day));
    await expand();
    await chat.deliverOutbox();
    await advanceContests(db.db, new Date(now.getTime() + 6 * day));
    await expand();
    await chat.deliverOutbox();
    expect(chat.replyTexts.filter((text) => text.includes(`«${contest.title}»`))).toEqual([t('ru', 'contests.results_none', { title: contest.title })]);
  });
});

describe.each(CHANNELS)('%s: a gallery with no accepted work', (channel) => {
  it('opened from an old button (the card shows none then), says so with the "☰ Menu" button, which opens the menu', async () => {
    const contest = await openContest({ state: 'voting_open' });
    const chat = await resident(channel, 'Зоя');
    await chat.say(tap(`!ctg:${contest.id}:0`));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.gallery_empty')]);
    expect(chat.buttonLabels()).toEqual([t('ru', 'menu.back_to_menu')]);
    await chat.say(press(t('ru', 'menu.back_to_menu')));
    expect(chat.replyTexts).toContain(t('ru', 'menu.main'));
  });
});

describe.each(CHANNELS)("%s: a contest's card", (channel) => {
  it('ends with the "☰ Menu" button, which opens the menu: under "Take part" while entries are open, alone while a jury chooses and no work is accepted; a jury\'s window is not called a vote', async () => {
    const open = await openContest();
    const judged = await openContest({ state: 'voting_open', drawingFormat: 'jury' });
    const chat = await resident(channel, 'Ада');
    await chat.say('/contests', press(contestLabel(open.title!)));
    expect(chat.replyTexts[0]).toContain(open.terms!);
    expect(
      chat
        .keyboards()
        .at(-1)!
        .rows.map((row) => row.map((b) => b.label)),
    ).toEqual([[t('ru', 'contests.take_part')], [t('ru', 'menu.back_to_menu')]]);
    expect(chat.replyTexts[0]).toContain(`${t('ru', 'contests.card_voting')}: `);
    await chat.say(tap(`!cto:${judged.id}`));
    expect(chat.replyTexts[0]).toContain(t('ru', 'contests.state_judging'));
    // Nobody votes in a jury's contest: its window is named as the choice of winners.
    expect(chat.replyTexts[0]).toContain(`${t('ru', 'contests.card_judging')}: `);
    expect(chat.replyTexts[0]).not.toContain(t('ru', 'contests.card_voting'));
    expect(chat.buttonLabels()).toEqual([t('ru', 'menu.back_to_menu')]);
    await chat.say(press(t('ru', 'menu.back_to_menu')));
    expect(chat.replyTexts).toContain(t('ru', 'menu.main'));
  });
});

describe.each(CHANNELS)('%s: contests whose names are too long for a VK button', (channel) => {
  it('/contests lists them in full with their state, numbered, and each button starts with its number, so two cut alike are told apart', async () => {
    const school = await openContest();
    const square = await openContest();
    const named = (id: number, title: string) => db.db.updateTable('contest').set({ title }).where('id', '=', id).execute();
    await named(school.id, `Фотоконкурс «Зимний двор у школы» ${channel}`);
    await named(square.id, `Фотоконкурс «Зимний двор у сквера» ${channel}`);
    const chat = await resident(channel, 'Ян');
    await chat.say('/contests');
    const list = chat.replyTexts[0]!;
    const state = t('ru', 'contests.state_entries_open');
    const numberOf = (title: string) => new RegExp(`^(\\d+)\\. ${title} — ${state}$`, 'm').exec(list)?.[1];
    const squareNumber = numberOf(`Фотоконкурс «Зимний двор у сквера» ${channel}`);
    expect(numberOf(`Фотоконкурс «Зимний двор у школы» ${channel}`)).toBeDefined();
    expect(squareNumber).toBeDefined();
    const labels = chat.buttonLabels();
    expect(new Set(labels).size).toBe(labels.length);
    await chat.say(press(labels.find((l) => l.startsWith(`${squareNumber}. `))!));
    expect(chat.replyTexts[0]).toContain(`Фотоконкурс «Зимний двор у сквера» ${channel}`);
    // Out of the other tests' lists (which press labels as they read with short names).
    await db.db.updateTable('contest').set({ state: 'withdrawn' }).where('id', 'in', [school.id, square.id]).execute();
  });
});

describe.each(CHANNELS)('%s: a caption that shows nothing', (channel) => {
  it('(zero-width or control characters) is not kept as the caption: where the work is asked, the work is asked again; where the caption is, the caption hint', async () => {
    const contest = await openContest();
    const chat = await resident(channel, 'Ия');
    await startEntry(chat, contest.title!);
    const askMedia = t('ru', 'contests.ask_media', { title: contest.title, kind: t('ru', 'contests.kind_photo') });
    await chat.say('\u200b\u200d');
    expect(chat.replyTexts).toEqual([t('ru', 'contests.send_media'), askMedia]);
    await chat.post(photoUpdate(chat, jpegBytes(3000, 41)));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say('\u0007\u3164');
    expect(chat.replyTexts).toEqual([t('ru', 'contests.caption_hint'), t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say(press(t('ru', 'contests.no_caption')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'contests.confirm_terms', { title: contest.title, terms: contest.terms, caption: '—' }));
  });
});

describe.each(CHANNELS)('%s: a refusal in the gallery', (channel) => {
  it("a second vote or a vote for one's own work is answered with the refusal alone, not followed by the list of contests again; the gallery still works", async () => {
    const contest = await openContest({ state: 'voting_open' });
    const author = await registeredChat(db, harness, channel, 'Kemerovo', 'Марк');
    const sha = channel === 'tg' ? 'd1'.repeat(32) : 'd2'.repeat(32);
    const mediaId = await storedPhoto(sha, `AgACrefusal${channel}`, `photo-1_5${channel === 'tg' ? 1 : 2}`);
    const own = await acceptedEntry(contest.id, author.residentId, mediaId, 'Моя горка');
    await acceptedEntry(contest.id, await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo }), mediaId, 'Сосед');

    const chat = await resident(channel, 'Ника');
    await openGallery(chat, contest.title!);
    expect(
      chat
        .keyboards()
        .at(-1)!
        .rows.map((row) => row.map((b) => b.label)),
    ).toEqual([[t('ru', 'contests.vote')], [t('ru', 'contests.next')], [t('ru', 'menu.back_to_menu')]]);
    await chat.say(press(t('ru', 'contests.vote')));
    expect(chat.replyTexts).toEqual([t('ru', 'contests.voted', { entryId: own.id })]);
    await chat.say(press(t('ru', 'contests.next')));
    await chat.say(press(t('ru', 'contests.vote')));
    expect(chat.replyTexts).toEqual([t('ru', 'errors.ALREADY_VOTED')]);
    // The gallery's buttons still work after it.
    await chat.say(press(t('ru', 'contests.previous')));
    expect(chat.replyTexts[0]).toContain('Моя горка');

    await openGallery(author.chat, contest.title!);
    await author.chat.say(tap(`!ctv:${contest.id}:${own.id}`));
    expect(author.chat.replyTexts).toEqual([t('ru', 'errors.SELF_VOTE')]);
  });
});

describe.each(CHANNELS)('%s: a contest with its results published', (channel) => {
  it('the card opened from the results names the winners, and the gallery marks the winning entry', async () => {
    const chat = await resident(channel, 'Ян');
    const contest = await openContest({ state: 'voting_open' });
    const author = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo });
    const sha = channel === 'tg' ? 'c'.repeat(64) : 'b'.repeat(64);
    const mediaId = await storedPhoto(sha, `AgACwinner${channel}`, `photo-1_9${channel === 'tg' ? 1 : 2}`);
    const [first, second] = await db.db
      .insertInto('contest_entry')
      .values([
        { contest_id: contest.id, resident_id: author, channel: 'tg', media_id: mediaId, media_kind: 'photo', caption: 'Иней', state: 'accepted', votes: 2 },
        { contest_id: contest.id, resident_id: author, channel: 'tg', media_id: mediaId, media_kind: 'photo', caption: 'Метель', state: 'accepted', votes: 5 },
      ])
      .returning('id')
      .execute();
    await advanceContests(db.db, contest.resultsOn!);
    for (const { id } of await db.db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').execute()) await expandFully(db.db, id);
    await chat.deliverOutbox();
    // (other contests of the file move on too: only this one's results are looked at)
    expect(chat.replyTexts.filter((text) => text.includes(`«${contest.title}»`))).toEqual([`🏆 Итоги конкурса «${contest.title}». Победители:\n1 место — работа № ${second!.id}`]);

    // /contests still lists it, with its results, for a while after they are published.
    await chat.say('/contests');
    expect(chat.keyboardLabels()).toContain(contestLabel(contest.title!, 'state_results_published'));
    await chat.say(tap(`!cto:${contest.id}`));
    expect(chat.replyTexts[0]).toContain(t('ru', 'contests.state_results_published'));
    expect(chat.replyTexts[0]).toContain(`🏆 Победители:\n1 место — работа № ${second!.id}`);
    await chat.say(press(t('ru', 'contests.gallery')));
    expect(chat.replyTexts[0]).toContain(`№${first!.id}`);
    expect(chat.replyTexts[0]).not.toContain(t('ru', 'contests.gallery_place', { place: 1 }));
    await chat.say(press(t('ru', 'contests.next')));
    expect(chat.replyTexts[0]).toContain(`№${second!.id}`);
    expect(chat.replyTexts[0]).toContain(t('ru', 'contests.gallery_place', { place: 1 }));
    // A month after its results it leaves the list.
    await db.db
      .updateTable('contest')
      .set({ results_published_at: new Date(harness.now().getTime() - 31 * 86_400_000) })
      .where('id', '=', contest.id)
      .execute();
    await chat.say('/contests');
    expect(chat.keyboardLabels()).not.toContain(contestLabel(contest.title!, 'state_results_published'));
  });
});

describe.each(CHANNELS)('%s: the gallery of a contest without an audience vote', (channel) => {
  it('a jury or draw contest shows no vote count on the works (nobody votes there)', async () => {
    const chat = await resident(channel, 'Ефим');
    const author = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo });
    const sha = channel === 'tg' ? '9'.repeat(64) : '8'.repeat(64);
    const mediaId = await storedPhoto(sha, `AgACjury${channel}`, `photo-1_7${channel === 'tg' ? 1 : 2}`);
    for (const drawingFormat of ['jury', 'random_draw'] as const) {
      const contest = await openContest({ drawingFormat, state: 'voting_open' });
      const entry = await acceptedEntry(contest.id, author, mediaId, 'Сугробы');
      await chat.say(tap(`!cto:${contest.id}`));
      // Nobody votes in it: its state does not say «идёт голосование».
      expect(chat.replyTexts[0]).toContain(t('ru', 'contests.state_judging'));
      expect(chat.replyTexts[0]).not.toContain(t('ru', 'contests.state_voting_open'));
      await chat.say(press(t('ru', 'contests.gallery')));
      expect(chat.replyTexts).toEqual([t('ru', 'contests.gallery_entry_no_votes', { title: contest.title, entryId: entry.id, position: 1, total: 1, caption: 'Сугробы' })]);
      // Its only work has no vote and no paging, yet the screen is no dead end: it ends with «☰ Меню», as the card does.
      expect(chat.buttonLabels()).toEqual([t('ru', 'menu.back_to_menu')]);
      await chat.say(press(t('ru', 'menu.back_to_menu')));
      expect(chat.replyTexts).toContain(t('ru', 'menu.main'));
      await chat.say('/contests');
      expect(chat.keyboardLabels()).toContain(contestLabel(contest.title!, 'state_judging'));
    }
  });
});

describe.each(CHANNELS)('%s: the list of contests', (channel) => {
  it('is paged within the keyboard limits, newest first, with the way back to the menu', async () => {
    for (let i = 0; i < 9; i++) await openContest();
    const chat = await resident(channel, 'Лев');
    await chat.say('/contests');
    const keyboard = chat.keyboards()[0]!;
    if (channel === 'vk') expect(keyboard.rows.length).toBeLessThanOrEqual(6);
    expect(keyboard.rows.at(-1)!.map((b) => b.label)).toEqual([t('ru', 'menu.back_to_menu')]);
    const newest = await db.db.selectFrom('contest').select('title').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(keyboard.rows[0]![0]!.label).toBe(contestLabel(newest.title!));
    const shown = new Set(keyboard.rows.flat().map((b) => b.label));
    await chat.say(press(t('ru', 'dialog.page_next')));
    expect(chat.replyKinds()).toEqual(['edit']);
    const next = chat.keyboardLabels().filter((l) => l.startsWith('Конкурс'));
    expect(next.length).toBeGreaterThan(0);
    expect(next.some((l) => shown.has(l))).toBe(false);
  });
});

describe('tg: contests', () => {
  it('takes a round video note as a video', async () => {
    const contest = await openContest({ entryKind: 'video' });
    const chat = await resident('tg', 'Олег');
    await startEntry(chat, contest.title!);
    harness.fake.files.set('DQACnote1', { path: 'video_notes/note_1.mp4', bytes: mp4Bytes(3000), contentType: 'video/mp4' });
    await chat.post({ message: { video_note: { file_id: 'DQACnote1', file_unique_id: 'AgADnote1', length: 240, duration: 9, file_size: 3000 } } });
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
  });
});

describe.each(CHANNELS)('%s: contest limits', (channel) => {
  it('a file over the contest size limit gets a clear answer and nothing is stored', async () => {
    const contest = await openContest({ maxSizeMb: 1 });
    const chat = await resident(channel, 'Дина');
    await startEntry(chat, contest.title!);
    const stored = await storedMedia();
    await chat.post(photoUpdate(chat, jpegBytes(1_100_000)));
    if (channel === 'tg') {
      // Telegram tells the size up front: refused before any download, on the same step.
      expect(chat.replyTexts[0]).toBe(t('ru', 'errors.ENTRY_TOO_LARGE', { max: 1 }));
      expect(await storedMedia()).toEqual(stored);
      await chat.post(photoUpdate(chat, jpegBytes(5000)));
      expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
      return;
    }
    // A VK photo's size is known only once downloaded, when the terms are agreed (the copy waits for
    // them): the download is cut at the limit, the work is asked for again and the caption kept.
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say('Иней');
    await chat.say(press(t('ru', 'contests.agree')));
    expect(chat.replyTexts).toEqual([t('ru', 'errors.ENTRY_TOO_LARGE', { max: 1 }), t('ru', 'contests.ask_media', { title: contest.title, kind: t('ru', 'contests.kind_photo') })]);
    expect(await storedMedia()).toEqual(stored);
    expect(await db.db.selectFrom('contest_entry').select('id').where('contest_id', '=', contest.id).execute()).toEqual([]);
    // A smaller photo goes through, with the caption given before.
    await chat.post(photoUpdate(chat, jpegBytes(5000)));
    expect(chat.replyTexts.at(-1)).toContain(contest.terms!);
    await chat.say(press(t('ru', 'contests.agree')));
    const entry = await db.db.selectFrom('contest_entry').select('caption').where('contest_id', '=', contest.id).executeTakeFirstOrThrow();
    expect(entry.caption).toBe('Иней');
  });
});

describe.each(CHANNELS)('%s: a work whose download shows another kind', (channel) => {
  it('a "photo" file that is a video, found only after «I agree»: refused, asked again with the caption kept, and no bytes left in the store', async () => {
    const contest = await openContest({ entryKind: 'photo' });
    const chat = await resident(channel, 'Лев');
    await startEntry(chat, contest.title!);
    const stored = await storedMedia();
    // Sent as a file named and typed as a JPEG (so taken as a photo up front); its bytes are an MP4,
    // and the file server says nothing of the type: only the download shows it.
    const n = ++fileSeq;
    const bytes = mp4Bytes(3500);
    if (channel === 'tg') {
      // No extension in Telegram's path either (a file named "winter"): nothing but the bytes says what it is.
      harness.fake.files.set(`BQACdoc${n}`, { path: `documents/file_${n}`, bytes, contentType: 'application/octet-stream' });
      await chat.post({ message: { document: { file_id: `BQACdoc${n}`, file_unique_id: `AgADdoc${n}`, file_name: 'winter', mime_type: 'image/jpeg', file_size: bytes.byteLength } } });
    } else {
      vkFiles.set(`/doc${n}.jpg`, { bytes, type: 'application/octet-stream' });
      await chat.post({
        type: 'message_new',
        object: { message: { attachments: [{ type: 'doc', doc: { id: 7000 + n, owner_id: chat.userId, title: 'winter.jpg', ext: 'jpg', size: bytes.byteLength, url: `${filesUrl}/doc${n}.jpg` } }] } },
      });
    }
    expect(chat.replyTexts).toEqual([t('ru', 'contests.ask_caption', { max: 500 })]);
    await chat.say('Зимний двор');
    await chat.say(press(t('ru', 'contests.agree')));
    expect(chat.replyTexts).toEqual([t('ru', 'errors.ENTRY_KIND_NOT_ALLOWED'), t('ru', 'contests.ask_media', { title: contest.title, kind: t('ru', 'contests.kind_photo') })]);
    // Neither a media row nor the video's bytes: the kind was checked before anything was written.
    expect(await storedMedia()).toEqual(stored);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(existsSync(path.join(harness.dataDir, 'media', sha256.slice(0, 2), sha256.slice(2, 4), sha256))).toBe(false);
    expect(await db.db.selectFrom('contest_entry').select('id').where('contest_id', '=', contest.id).execute()).toEqual([]);
    // A real photo goes through with the caption given before: one row, one file.
    await chat.post(photoUpdate(chat, jpegBytes(4000, channel === 'tg' ? 71 : 72)));
    expect(chat.replyTexts.at(-1)).toContain(contest.terms!);
    await chat.say(press(t('ru', 'contests.agree')));
    expect(await storedMedia()).toEqual({ rows: stored.rows + 1, files: stored.files + 1 });
    const entry = await db.db.selectFrom('contest_entry').select(['caption', 'media_kind']).where('contest_id', '=', contest.id).executeTakeFirstOrThrow();
    expect(entry).toEqual({ caption: 'Зимний двор', media_kind: 'photo' });
  });
});

describe('contests across messengers', () => {
  it("an entry from one messenger is shown to the other's residents (uploaded once, file id reused); the vote counts once per resident", async () => {
    const contest = await openContest();
    const fromTg = await resident('tg', 'Анна');
    const fromVk = await resident('vk', 'Борис');
    for (const chat of [fromTg, fromVk]) {
      await startEntry(chat, contest.title!);
      await chat.post(photoUpdate(chat, jpegBytes(2500, chat.channel === 'tg' ? 11 : 12)));
      await chat.say(press(t('ru', 'contests.no_caption')));
      await chat.say(press(t('ru', 'contests.agree')));
    }
    const entries = await db.db.selectFrom('contest_entry').select(['id', 'channel']).where('contest_id', '=', contest.id).orderBy('id').execute();
    expect(entries.map((e) => e.channel)).toEqual(['tg', 'vk']);
    await db.db.updateTable('contest_entry').set({ state: 'accepted' }).where('contest_id', '=', contest.id).execute();
    await db.db.updateTable('contest').set({ state: 'voting_open' }).where('id', '=', contest.id).execute();
    const [tgEntry, vkEntry] = entries as unknown as [{ id: number }, { id: number }];

    // VK residents see the Telegram entry: uploaded to VK once, then the saved attachment is reused.
    const vkUploadsBefore = harness.vkFake.uploads.length;
    const viewers = [fromVk, await resident('vk', 'Вика')];
    for (const viewer of viewers) {
      await openGallery(viewer, contest.title!);
      expect(viewer.replyTexts[0]).toContain(t('ru', 'contests.gallery_entry', { title: contest.title, entryId: tgEntry.id, position: 1, total: 2, caption: '—', votes: 0 }));
      expect(viewer.replyKinds()).toContain('photo');
    }
    expect(harness.vkFake.uploads.length - vkUploadsBefore).toBe(1);

    // Telegram residents see both: the Telegram entry by the resident's own file id (never uploaded), the
    // VK entry uploaded with sendPhoto once, then sent by the file id Telegram gave it.
    const tgUploadsBefore = harness.fake.uploads.length;
    const tgViewers = [fromTg, await resident('tg', 'Гена')];
    for (const viewer of tgViewers) {
      await openGallery(viewer, contest.title!);
      await viewer.say(press(t('ru', 'contests.next')));
      expect(viewer.replyTexts[0]).toContain(`№${vkEntry.id}`);
      expect(viewer.replyKinds()).toContain('photo');
    }
    expect(harness.fake.uploads.length - tgUploadsBefore).toBe(1);
    const sends = harness.fake.calls.filter((c) => c.method === 'sendPhoto').map((c) => c.params.photo);
    expect(sends.filter((p) => typeof p === 'string' && p.startsWith('AgACentry')).length).toBeGreaterThanOrEqual(2);
    expect(sends.at(-1)).toBe(harness.fake.uploads.at(-1)!.fileId);

    // Votes: the Telegram author sees no Vote button on their own entry; votes once; the second vote is refused.
    const ownEntry = tgViewers[0]!;
    await ownEntry.say(press(t('ru', 'contests.previous')));
    expect(ownEntry.keyboardLabels()).not.toContain(t('ru', 'contests.vote'));
    await ownEntry.say(press(t('ru', 'contests.next')));
    await ownEntry.say(press(t('ru', 'contests.vote')));
    expect(ownEntry.replyTexts).toEqual([t('ru', 'contests.voted', { entryId: vkEntry.id })]);
    await ownEntry.say(press(t('ru', 'contests.vote')));
    expect(ownEntry.replyTexts[0]).toBe(t('ru', 'errors.ALREADY_VOTED'));
    const voter = viewers[1]!;
    await voter.say(press(t('ru', 'contests.vote')));
    expect(voter.replyTexts).toEqual([t('ru', 'contests.voted', { entryId: tgEntry.id })]);
    const votes = await db.db.selectFrom('contest_entry').select(['id', 'votes']).where('contest_id', '=', contest.id).orderBy('id').execute();
    expect(votes.map((v) => v.votes)).toEqual([1, 1]);
  });
});

describe('one resident, two messengers, one vote', () => {
  it('a resident who linked VK to Telegram votes in Telegram; the vote from VK is refused', async () => {
    const contest = await openContest({ state: 'voting_open' });
    const author = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo });
    const mediaId = await storedPhoto('f'.repeat(64), 'AgACstored', 'photo-1_1');
    const entry = await acceptedEntry(contest.id, author, mediaId, 'Соседский двор');

    const tg = await resident('tg', 'Ирина');
    const vk = newChat(harness, 'vk', 'Ирина');
    await linkFromTelegram(tg, vk);
    expect(await residentOf(db, vk)).toBe(await residentOf(db, tg));

    await openGallery(tg, contest.title!);
    await tg.say(press(t('ru', 'contests.vote')));
    expect(tg.replyTexts).toEqual([t('ru', 'contests.voted', { entryId: entry.id })]);
    await openGallery(vk, contest.title!);
    await vk.say(press(t('ru', 'contests.vote')));
    expect(vk.replyTexts[0]).toBe(t('ru', 'errors.ALREADY_VOTED'));
    const votes = await db.db.selectFrom('contest_vote').select(['resident_id', 'channel']).where('contest_id', '=', contest.id).execute();
    expect(votes).toEqual([{ resident_id: await residentOf(db, tg), channel: 'tg' }]);
  });

  it('a resident who voted and entered from VK before linking it to Telegram keeps that vote and entry: a second vote from Telegram is refused', async () => {
    const contest = await openContest({ state: 'voting_open' });
    const author = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo });
    const mediaId = await storedPhoto('e'.repeat(64), 'AgACstored2', 'photo-1_2');
    const entry = await acceptedEntry(contest.id, author, mediaId, 'Ледяной городок');

    // Two accounts of one person, each registered in its own messenger.
    const tg = await resident('tg', 'Олег');
    const vk = await resident('vk', 'Олег');
    const vkResident = await residentOf(db, vk);
    const vkEntry = await db.db
      .insertInto('contest_entry')
      .values({ contest_id: contest.id, resident_id: vkResident, channel: 'vk', media_id: mediaId, media_kind: 'photo', caption: 'Моя работа', state: 'pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await openGallery(vk, contest.title!);
    await vk.say(press(t('ru', 'contests.vote')));
    expect(vk.replyTexts).toEqual([t('ru', 'contests.voted', { entryId: entry.id })]);

    await linkFromTelegram(tg, vk);
    const merged = await residentOf(db, tg);
    expect(await residentOf(db, vk)).toBe(merged);

    // The vote from VK is the person's one vote; the entry sent from VK is still theirs.
    expect(await db.db.selectFrom('contest_vote').select(['resident_id', 'entry_id']).where('contest_id', '=', contest.id).execute()).toEqual([{ resident_id: merged, entry_id: entry.id }]);
    expect(await db.db.selectFrom('contest_entry').select('resident_id').where('id', '=', vkEntry.id).executeTakeFirst()).toEqual({ resident_id: merged });
    await openGallery(tg, contest.title!);
    await tg.say(press(t('ru', 'contests.vote')));
    expect(tg.replyTexts[0]).toBe(t('ru', 'errors.ALREADY_VOTED'));
    expect((await db.db.selectFrom('contest_entry').select('votes').where('id', '=', entry.id).executeTakeFirstOrThrow()).votes).toBe(1);
  });

  it('when both accounts had voted before linking, the person keeps one vote and the count drops by the other', async () => {
    const contest = await openContest({ state: 'voting_open' });
    const author = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo });
    const mediaId = await storedPhoto('d'.repeat(64), 'AgACstored3', 'photo-1_3');
    const entry = await acceptedEntry(contest.id, author, mediaId, 'Снегирь');
    const tg = await resident('tg', 'Пётр');
    const vk = await resident('vk', 'Пётр');
    for (const chat of [tg, vk]) {
      await openGallery(chat, contest.title!);
      await chat.say(press(t('ru', 'contests.vote')));
      expect(chat.replyTexts).toEqual([t('ru', 'contests.voted', { entryId: entry.id })]);
    }
    await linkFromTelegram(tg, vk);
    expect(await residentOf(db, vk)).toBe(await residentOf(db, tg));
    expect(await db.db.selectFrom('contest_vote').select('resident_id').where('contest_id', '=', contest.id).execute()).toEqual([{ resident_id: await residentOf(db, tg) }]);
    expect((await db.db.selectFrom('contest_entry').select('votes').where('id', '=', entry.id).executeTakeFirstOrThrow()).votes).toBe(1);
  });
});

describe.each(CHANNELS)('%s: a withdrawn contest', (channel) => {
  it("its announcement's button says it was withdrawn; it leaves the list; Take part on its card shown earlier says so too", async () => {
    const chat = await resident(channel, 'Нина');
    const contest = await openContest();
    // Announced to the resident before the withdrawal, its card opened.
    await announceEntriesOpen(contest);
    await chat.deliverOutbox();
    await chat.say(press(t('ru', 'contests.open_button')));
    expect(chat.replyTexts.join('\n')).toContain(contest.title);

    await withdrawContest(db.db, contest.id, harness.now());
    await chat.say(press(t('ru', 'contests.take_part')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.CONTEST_WITHDRAWN'));
    await chat.say(press(t('ru', 'contests.open_button')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.CONTEST_WITHDRAWN'));
    await chat.say('/contests');
    expect(chat.replyTexts.join('\n')).not.toContain(contest.title);
  });

  it('withdrawn with a reason: its button says why', async () => {
    const chat = await resident(channel, 'Олег');
    const contest = await openContest();
    await announceEntriesOpen(contest);
    await chat.deliverOutbox();
    const reason = 'Спонсор отказался от призов';
    await withdrawContest(db.db, contest.id, harness.now(), reason);
    await chat.say(press(t('ru', 'contests.open_button')));
    // The menu follows, as for any press on an announcement's button outside a flow.
    expect(chat.replyTexts[0]).toBe(`${t('ru', 'errors.CONTEST_WITHDRAWN')}\n${t('ru', 'errors.withdrawn_reason', { reason })}`);
  });
});

describe.each(CHANNELS)("%s: a contest's old buttons after the consent is withdrawn", (channel) => {
  it("a resident who withdrew their consent since presses the old announcement's button: asked to register, not told the contest does not exist", async () => {
    const chat = await resident(channel, 'Фёдор');
    const contest = await openContest();
    await chat.say('/privacy', press(t('ru', 'privacy.withdraw')), press(t('ru', 'privacy.withdraw_yes')));
    for (const id of [`!cto:${contest.id}`, `!ctg:${contest.id}:0`]) {
      await chat.say(tap(id));
      expect(chat.replyTexts[0], id).toBe(t('ru', 'errors.CONSENT_REQUIRED'));
    }
  });
});
