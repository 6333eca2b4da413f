import { describe, expect, it } from 'vitest';
import { newChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';

let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

describe.each(CHANNELS)('%s: contest fixtures end to end', (channel) => {
  it('contest-photo.json: enter with a photo, accepted, vote in the gallery, results', async () => {
    const chat = newChat(harness, channel, 'Анна');
    await chat.playFixture('contest-photo.json');
    const residentId = await residentOf(db, chat);
    const mine = await db.db.selectFrom('contest_entry').selectAll().where('resident_id', '=', residentId).executeTakeFirstOrThrow();
    expect(mine).toMatchObject({ state: 'accepted', caption: 'Снежный двор на Весенней', channel, rank: 2, winner_place: null });
    const contest = await db.db.selectFrom('contest').select('state').where('id', '=', mine.contest_id).executeTakeFirstOrThrow();
    expect(contest.state).toBe('results_published');
    expect(await db.db.selectFrom('contest_vote').select('entry_id').where('resident_id', '=', residentId).execute()).toHaveLength(1);
  });

  it('contest-video.json: a photo refused, a video taken, drawn and told', async () => {
    const chat = newChat(harness, channel, 'Анна');
    await chat.playFixture('contest-video.json');
    const residentId = await residentOf(db, chat);
    const mine = await db.db
      .selectFrom('contest_entry')
      .innerJoin('media', 'media.id', 'contest_entry.media_id')
      .select(['contest_entry.media_kind', 'media.mime', 'contest_entry.winner_place'])
      .where('resident_id', '=', residentId)
      .execute();
    expect(mine).toEqual([{ media_kind: 'video', mime: 'video/mp4', winner_place: 1 }]);
  });
});
