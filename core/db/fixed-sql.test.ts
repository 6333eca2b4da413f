import { type CompiledQuery, DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { fixedSql } from './fixed-sql.ts';
import { writeWatch } from './write-watch.ts';

const db = new Kysely<Record<string, never>>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

type Tag = (pieces: TemplateStringsArray, ...values: unknown[]) => { compile(on: typeof db): CompiledQuery };

const statement = (tag: Tag, channel: string, at: Date, name: string | null, flag: boolean) =>
  tag`WITH a AS (UPDATE t SET at = ${at}, name = ${name}::text WHERE channel = ${channel} RETURNING 1) SELECT ${flag}::boolean, ${channel}::text FROM a`;

describe('fixedSql', () => {
  it('compiles to the same text and parameters as sql`…`, and to one text string per call site', () => {
    const at = new Date('2026-12-03T10:00:00Z');
    const kysely = statement(sql, 'tg', at, null, true).compile(db);
    const fixed = statement(fixedSql, 'tg', at, null, true).compile(db);
    expect(fixed.sql).toBe(kysely.sql);
    expect(fixed.sql).toContain('$5::text FROM a');
    expect(fixed.parameters).toEqual([at, null, 'tg', true, 'tg']);
    const again = statement(fixedSql, 'vk', at, 'x', false).compile(db);
    expect(again.sql).toBe(fixed.sql);
    expect(again.parameters).toEqual([at, 'x', 'vk', false, 'vk']);
    // Each run has its own parameters (the preparing pool marks a statement by its parameters' identity).
    expect(again.parameters).not.toBe(fixed.parameters);
  });

  it('leaves a Kysely instance with plugins, and SQL among the values, to Kysely', () => {
    let writes = 0;
    const watched = db.withPlugin(writeWatch(() => writes++));
    const compiled = fixedSql`UPDATE t SET a = ${1}`.compile(watched);
    expect(writes).toBe(1);
    expect(compiled.sql).toBe('UPDATE t SET a = $1');
    const renaming: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => result,
    };
    expect(fixedSql`SELECT ${2}`.compile(db.withPlugin(renaming)).parameters).toEqual([2]);
    const withRef = fixedSql`SELECT ${sql.ref('t.a')} FROM t WHERE b = ${3}`.compile(db);
    expect(withRef.sql).toBe('SELECT "t"."a" FROM t WHERE b = $1');
    expect(withRef.parameters).toEqual([3]);
  });
});
