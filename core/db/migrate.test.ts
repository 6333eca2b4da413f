import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createMigrator, migrateDown, migrateToLatest } from './migrate.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { insertMessages, POINT_A, POINT_B } from '../../test/stats.ts';
import { storedCell } from '../stats/h3.ts';

let t: TestDatabase;
let seeded: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  seeded = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
  await seeded.close();
});

describe('migrations', () => {
  it('apply, roll back every step and apply again', async () => {
    const migrations = await createMigrator(t.db).getMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.executedAt)).toBe(true);
    for (let i = 0; i < migrations.length; i++) await migrateDown(t.db);
    const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%'`.execute(t.db);
    expect(tables.rows[0]!.n).toBe(0);
    const applied = await migrateToLatest(t.db);
    expect(applied).toHaveLength(migrations.length);
  });

  it('the heat map migration gives messages filed before it their H3 cell', async () => {
    const municipalityId = Object.values(seeded.demo.municipalities)[0]!;
    const ids = await insertMessages(seeded.db, [
      { municipalityId, point: POINT_A, status: 'new', createdAt: '2026-11-20T03:00:00Z' },
      { municipalityId, point: POINT_B, status: 'new', createdAt: '2026-11-21T03:00:00Z' },
    ]);
    const heatmap = '2026-12-01T1700_heatmap';
    const executed = async () => (await createMigrator(seeded.db).getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
    while ((await executed()).includes(heatmap)) await migrateDown(seeded.db);
    expect(await migrateToLatest(seeded.db)).toContain(`Up ${heatmap}`);
    const rows = await seeded.db.selectFrom('message').select(['id', 'h3_r10']).where('id', 'in', ids).orderBy('id').execute();
    expect(rows.map((r) => String(r.h3_r10))).toEqual([storedCell(POINT_A), storedCell(POINT_B)]);
  });

  it('the placement unit index removes repeats stored before it, keeping the first of each', async () => {
    const municipalityId = Object.values(seeded.demo.municipalities)[0]!;
    const unique = '2026-12-07T0502_placement-unique';
    const executed = async () => (await createMigrator(seeded.db).getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
    while ((await executed()).includes(unique)) await migrateDown(seeded.db);
    const place = async (address: string, startsOn = '2026-06-01') =>
      (
        await sql<{ id: number }>`INSERT INTO kpi_placement (municipality_id, address, starts_on, ends_on, created_at)
          VALUES (${municipalityId}, ${address}, ${startsOn}, '2026-08-31', now()) RETURNING id`.execute(seeded.db)
      ).rows[0]!.id;
    const kept = await place('ул. Ленина, 5');
    await place('УЛ. ЛЕНИНА,  5 ');
    await place('ул. Ленина, 5');
    const other = await place('ул. Ленина, 5', '2026-07-01');
    expect(await migrateToLatest(seeded.db)).toContain(`Up ${unique}`);
    const rows = await sql<{ id: number }>`SELECT id FROM kpi_placement WHERE municipality_id = ${municipalityId} AND address ILIKE '%ленина%' ORDER BY id`.execute(seeded.db);
    expect(rows.rows.map((r) => r.id)).toEqual([kept, other]);
  });

  it('the photo copies migration queues the photos of open Telegram messages (their cards are still to come), and only those', async () => {
    const municipalityId = Object.values(seeded.demo.municipalities)[0]!;
    const copies = '2026-12-04T1000_message-photo-copies';
    const executed = async () => (await createMigrator(seeded.db).getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
    while ((await executed()).includes(copies)) await migrateDown(seeded.db);
    const [open, closed, fromVk] = await insertMessages(seeded.db, [
      { municipalityId, point: POINT_A, status: 'new', createdAt: '2026-11-20T03:00:00Z' },
      { municipalityId, point: POINT_A, status: 'rejected', createdAt: '2026-11-20T04:00:00Z', closedAt: '2026-11-20T05:00:00Z' },
      { municipalityId, point: POINT_B, status: 'new', createdAt: '2026-11-20T06:00:00Z', channel: 'vk' },
    ]);
    // Rows as the schema before the migration has them.
    for (const [messageId, channel] of [
      [open, 'tg'],
      [closed, 'tg'],
      [fromVk, 'vk'],
    ] as const) {
      await sql`INSERT INTO message_photo (message_id, channel, file_id, position) VALUES (${messageId}, ${channel}, ${`file-${messageId}`}, 0)`.execute(seeded.db);
    }
    expect(await migrateToLatest(seeded.db)).toContain(`Up ${copies}`);
    const rows = await seeded.db
      .selectFrom('message_photo')
      .select(['message_id', 'copy_due_at', 'copy_attempts', 'media_id'])
      .where('message_id', 'in', [open!, closed!, fromVk!])
      .orderBy('message_id')
      .execute();
    expect(rows.map((r) => [r.message_id, r.copy_due_at !== null, r.copy_attempts, r.media_id])).toEqual([
      [open, true, 0, null],
      [closed, false, 0, null],
      [fromVk, false, 0, null],
    ]);
  });
});
