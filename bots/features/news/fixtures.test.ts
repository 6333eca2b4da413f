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

describe.each(CHANNELS)('%s: news and «Афиша» replayed from fixtures/…/news-events.json', (channel) => {
  it('the news item and the event reach the resident, the comment is stored, the reminder is asked for', async () => {
    const chat = newChat(harness, channel, 'Анна');
    await chat.playFixture('news-events.json');
    const residentId = await residentOf(db, chat);
    const delivered = await db.db
      .selectFrom('outbox')
      .select(['kind', 'channel'])
      .where('resident_id', '=', residentId)
      .where('kind', 'in', ['broadcast.news', 'broadcast.event'])
      .orderBy('id')
      .execute();
    expect(delivered).toEqual([
      { kind: 'broadcast.news', channel },
      { kind: 'broadcast.event', channel },
    ]);
    const comments = await db.db.selectFrom('item_comment').select(['text', 'state']).where('resident_id', '=', residentId).execute();
    expect(comments).toEqual([{ text: 'А парковка рядом будет?', state: 'published' }]);
    expect(await db.db.selectFrom('event_reminder').select('resident_id').where('resident_id', '=', residentId).execute()).toHaveLength(1);
  });
});
