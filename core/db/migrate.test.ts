import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createMigrator, migrateDown, migrateToLatest } from './migrate.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.close());

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
});
