import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { enqueue, type OutboxEntry, PRIORITY } from './outbox.repository.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(async () => {
  await t.close();
});

const entry = (chatId: string, dedupeKey?: string): OutboxEntry => ({
  channel: 'tg',
  chatId,
  recipientKind: 'chat',
  kind: 'test:note',
  payload: { key: 'notify.rejected', params: { messageId: 1, reason: 'test' } },
  priority: PRIORITY.notification,
  ...(dedupeKey && { dedupeKey }),
});

describe('enqueue', () => {
  it('queues a dedupe key once, and any number of rows without one', async () => {
    const first = await enqueue(t.db, [entry('1', 'note:1'), entry('1'), entry('1')]);
    expect(first).toHaveLength(3);
    const again = await enqueue(t.db, [entry('1', 'note:1'), entry('2'), entry('2', 'note:2')]);
    expect(again).toHaveLength(2);
    const rows = await t.db.selectFrom('outbox').select(['chat_id', 'dedupe_key']).orderBy('id').execute();
    expect(rows).toEqual([
      { chat_id: '1', dedupe_key: 'note:1' },
      { chat_id: '1', dedupe_key: null },
      { chat_id: '1', dedupe_key: null },
      { chat_id: '2', dedupe_key: null },
      { chat_id: '2', dedupe_key: 'note:2' },
    ]);
  });

  it('indexes only the rows with a dedupe key (a reply adds no entry to the dedupe index)', async () => {
    const { rows } = await sql<{ indexdef: string }>`SELECT indexdef FROM pg_indexes WHERE tablename = 'outbox' AND indexdef LIKE '%(dedupe_key)%'`.execute(t.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.indexdef).toMatch(/^CREATE UNIQUE INDEX .* WHERE \(dedupe_key IS NOT NULL\)$/);
  });
});
