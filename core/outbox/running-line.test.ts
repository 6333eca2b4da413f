import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { pruneRunningLines, recordRunningLine, runningLines } from './running-line.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.close());

describe('running lines', () => {
  it('keeps the message of each slot for its album only; the next album of the chat replaces it', async () => {
    const chat = { channel: 'tg' as const, chatId: '6100000001' };
    await recordRunningLine(t.db, { ...chat, album: 'A', slot: 'filing_photos', messageId: 1001 });
    await recordRunningLine(t.db, { ...chat, album: 'A', slot: 'filing_photos_over', messageId: 1002 });
    // The fallback of a failed edit: a new message shows the line now.
    await recordRunningLine(t.db, { ...chat, album: 'A', slot: 'filing_photos', messageId: 1003 });
    expect(await runningLines(t.db, 'tg', chat.chatId, 'A')).toEqual({ filing_photos: 1003, filing_photos_over: 1002 });
    // Another chat, another channel, another album: none of A's lines.
    expect(await runningLines(t.db, 'tg', '6100000002', 'A')).toEqual({});
    expect(await runningLines(t.db, 'vk', chat.chatId, 'A')).toEqual({});
    expect(await runningLines(t.db, 'tg', chat.chatId, 'B')).toEqual({});
    await recordRunningLine(t.db, { ...chat, album: 'B', slot: 'filing_photos', messageId: 2001 });
    expect(await runningLines(t.db, 'tg', chat.chatId, 'B')).toEqual({ filing_photos: 2001 });
    expect(await runningLines(t.db, 'tg', chat.chatId, 'A')).toEqual({ filing_photos_over: 1002 });
  });

  it('prunes lines older than a day', async () => {
    await recordRunningLine(t.db, { channel: 'tg', chatId: '6100000003', album: 'C', slot: 'filing_photos', messageId: 3001 });
    await t.db.updateTable('running_line').set({ updated_at: sql<Date>`now() - interval '25 hours'` }).where('chat_id', '=', '6100000003').execute();
    const before = Number(
      (
        await t.db
          .selectFrom('running_line')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(await pruneRunningLines(t.db, new Date())).toEqual({ runningLinesPruned: 1 });
    expect(await runningLines(t.db, 'tg', '6100000003', 'C')).toEqual({});
    expect(
      Number(
        (
          await t.db
            .selectFrom('running_line')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(before - 1);
  });
});
