import { expandBatch } from '../../core/broadcasts/broadcasts.ts';
import { advanceContests, createContest, moderateEntry, publishContest } from '../../core/contests/contests.ts';
import type { DrawingFormat, EntryKind } from '../../core/contests/contest.table.ts';
import { copyEntryFile, useContestFetch } from '../../bots/features/contests/media.ts';
import { jpegBytes, mp4Bytes } from '../media/files.ts';
import { registeredResident } from '../residents.ts';
import type { BotHarness } from './harness.ts';
import type { ChannelName, Json } from './player.ts';

/** Files "sent" in VK fixtures, served to the contest copier by a stand-in for VK's file servers. */
const vkFiles = new Map<string, { bytes: Uint8Array; type: string }>();
const standInFetch = (async (input: string | URL | Request) => {
  const url = String(input instanceof Request ? input.url : input);
  const file = vkFiles.get(url);
  return file ? new Response(Buffer.from(file.bytes), { headers: { 'content-type': file.type } }) : new Response('not found', { status: 404 });
}) as typeof fetch;

const DAY = 86_400_000;

/** Broadcasts written out now (the app's expander does the same in the background), so `$deliver_outbox` sees them. */
async function expandAll(harness: BotHarness): Promise<void> {
  const db = harness.database.db;
  for (const { id } of await db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').execute()) {
    while (!(await expandBatch(db, id, 1000)).done);
  }
}

async function newestContest(harness: BotHarness) {
  return harness.database.db.selectFrom('contest').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
}

async function kemerovo(harness: BotHarness) {
  return (await harness.database.db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow()).id;
}

async function moderator(harness: BotHarness, municipalityId: number) {
  return (await harness.database.db.selectFrom('staff').select('id').where('municipality_id', '=', municipalityId).where('role', '=', 'moderator').orderBy('id').executeTakeFirstOrThrow()).id;
}

/**
 * Fixture directives of the contests (fixtures/README.md):
 * - `$contest_open` `{ kind, format, title }`: a Kemerovo contest created, published and opened by the cron (through core);
 * - `$contest_file` `{ id, kind }`: the bytes of a photo or video the user is about to send (Telegram file id, or a VK URL);
 * - `$contest_other_entry` `{ kind }`: another Kemerovo resident's entry, already accepted;
 * - `$contest_moderate` `"accept" | "reject"` (`reason`): the moderator decides on the user's newest entry;
 * - `$contest_advance` `"voting" | "winners" | "results"`: the cron runs at that date of the newest contest.
 */
export async function contestDirective(ctx: { harness: BotHarness; channel: ChannelName; log(line: string): void }, entry: Json): Promise<void> {
  const { harness } = ctx;
  const db = harness.database.db;
  const now = harness.now();
  if ('$contest_open' in entry) {
    const spec = entry.$contest_open as { kind?: EntryKind; format?: DrawingFormat; title?: string };
    const municipalityId = await kemerovo(harness);
    const contest = await createContest(
      db,
      {
        municipalityId,
        createdByStaffId: null,
        title: spec.title ?? 'Конкурс',
        organiser: 'Администрация г. Кемерово',
        terms: spec.kind === 'video' ? 'Короткое видео (до 60 с): песня, танец, стихи или репортаж о городе.' : 'Фото зимнего Кемерово, снятое вами в этом году.',
        topic: spec.kind === 'video' ? 'Мой город' : 'Зима в городе',
        prizes: 'Сертификат 5000 ₽',
        drawingFormat: spec.format ?? 'audience_vote',
        winnersCount: 1,
        entryKind: spec.kind ?? 'photo',
        entriesFrom: new Date(now.getTime() - 60_000),
        entriesTo: new Date(now.getTime() + 7 * DAY),
        votingFrom: new Date(now.getTime() + 7 * DAY),
        votingTo: new Date(now.getTime() + 14 * DAY),
        resultsOn: new Date(now.getTime() + 15 * DAY),
        maxDurationSeconds: spec.kind === 'video' ? 60 : null,
      },
      now,
    );
    await db.transaction().execute((trx) => publishContest(trx, contest.id, now, null));
    await db.transaction().execute((trx) => advanceContests(trx, now));
    useContestFetch(standInFetch);
    await expandAll(harness);
    ctx.log(`🏛 curator: contest #${contest.id} «${spec.title}» published; the cron opened entries`);
    return;
  }
  if ('$contest_file' in entry) {
    const spec = entry.$contest_file as { id: string; kind: 'photo' | 'video' };
    const bytes = spec.kind === 'video' ? mp4Bytes(6000) : jpegBytes(5000, spec.id.length);
    const type = spec.kind === 'video' ? 'video/mp4' : 'image/jpeg';
    if (ctx.channel === 'tg') harness.fake.files.set(spec.id, { path: `${spec.kind}s/${spec.id}`, bytes, contentType: type });
    else vkFiles.set(spec.id, { bytes, type });
    return;
  }
  const contest = await newestContest(harness);
  if ('$contest_other_entry' in entry) {
    const kind = (entry.$contest_other_entry as { kind?: 'photo' | 'video' }).kind ?? 'photo';
    const residentId = await registeredResident(db, { municipalityId: contest.municipality_id!, now });
    const url = `https://files.fixture.invalid/other-${contest.id}-${kind}`;
    vkFiles.set(url, kind === 'video' ? { bytes: mp4Bytes(3000), type: 'video/mp4' } : { bytes: jpegBytes(3000, 99), type: 'image/jpeg' });
    useContestFetch(standInFetch);
    const media = await copyEntryFile(db, { kind, url }, { municipalityId: contest.municipality_id, maxSizeMb: null, entryKind: kind });
    await db
      .insertInto('contest_entry')
      .values({ contest_id: contest.id, resident_id: residentId, channel: 'tg', media_id: media.id, media_kind: kind, caption: 'Работа соседа', state: 'accepted', moderated_at: now })
      .execute();
    ctx.log(`🏛 another resident's entry to contest #${contest.id}, accepted`);
    return;
  }
  if ('$contest_moderate' in entry) {
    const decision = entry.$contest_moderate as 'accept' | 'reject';
    const newest = await db.selectFrom('contest_entry').select('id').where('contest_id', '=', contest.id).where('state', '=', 'pending').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const staffId = await moderator(harness, contest.municipality_id!);
    await db
      .transaction()
      .execute((trx) => moderateEntry(trx, { contestId: contest.id, entryId: newest.id, decision, ...(typeof entry.reason === 'string' && { reason: entry.reason }), staffId }, now));
    ctx.log(`🏛 moderator: ${decision} entry #${newest.id}`);
    return;
  }
  if ('$contest_advance' in entry) {
    const to = entry.$contest_advance as 'voting' | 'winners' | 'results';
    const at = to === 'voting' ? contest.voting_from! : to === 'winners' ? contest.voting_to! : contest.results_on!;
    const counts = await db.transaction().execute((trx) => advanceContests(trx, at));
    await expandAll(harness);
    ctx.log(`⏰ cron at ${at.toISOString()}: ${JSON.stringify(counts)}`);
    return;
  }
  throw new Error(`unknown contest directive ${Object.keys(entry).join(', ')}`);
}
