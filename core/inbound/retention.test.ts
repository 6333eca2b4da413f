import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { pruneProcessedUpdates } from './retention.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.close());

describe('processed update retention', () => {
  it('forgets update ids older than a week and keeps the rest', async () => {
    const now = new Date('2026-11-25T00:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    await t.db
      .insertInto('processed_update')
      .values([
        { channel: 'tg', update_id: '1', processed_at: daysAgo(30) },
        { channel: 'vk', update_id: 'e-1', processed_at: daysAgo(8) },
        { channel: 'tg', update_id: '2', processed_at: daysAgo(6) },
        { channel: 'tg', update_id: '3', processed_at: now },
      ])
      .execute();
    expect(await pruneProcessedUpdates(t.db, now)).toEqual({ processedUpdatesPruned: 2 });
    const left = await t.db.selectFrom('processed_update').select('update_id').orderBy('update_id').execute();
    expect(left.map((r) => r.update_id)).toEqual(['2', '3']);
    expect(await pruneProcessedUpdates(t.db, now)).toEqual({ processedUpdatesPruned: 0 });
  });
});
