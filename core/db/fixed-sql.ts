import { CompiledQuery, isOperationNodeSource, sql, type QueryExecutorProvider, type QueryResult } from 'kysely';

/**
 * Kysely's sql`…` for a statement whose interpolations are all plain values (parameters), compiled
 * once per call site instead of once per run: the text is the template's pieces joined by `$1`,
 * `$2` … (what Kysely's PostgreSQL compiler writes for them), kept per template (a tagged
 * template's pieces are one object per call site), and each run only pairs it with its values.
 * For the statements every inbound update runs (bots/dialogs/state.ts, bots/outbox/reply.ts, the
 * resident's touch): Kysely built and walked an operation tree of each one per update, and the
 * preparing pool (core/db/prepared.ts) then looked up a new string of several KB by its content,
 * where the text kept here is the same string every time.
 *
 * The same statement as sql`…` in every case: with a Kysely instance that has plugins (they
 * transform the operation tree), or a value that is itself SQL (sql`…`, sql.ref …), it is compiled
 * by Kysely as sql`…` would be.
 */
export function fixedSql<R = unknown>(pieces: TemplateStringsArray, ...values: unknown[]): FixedSql<R> {
  return new FixedSql<R>(pieces, values);
}

export class FixedSql<R> {
  private readonly pieces: TemplateStringsArray;
  private readonly values: unknown[];
  constructor(pieces: TemplateStringsArray, values: unknown[]) {
    this.pieces = pieces;
    this.values = values;
  }

  compile(db: QueryExecutorProvider): CompiledQuery<R> {
    if (db.getExecutor().plugins.length > 0 || this.values.some(isOperationNodeSource)) return sql<R>(this.pieces, ...this.values).compile(db);
    return CompiledQuery.raw(textOf(this.pieces), this.values) as CompiledQuery<R>;
  }

  execute(db: QueryExecutorProvider): Promise<QueryResult<R>> {
    return db.getExecutor().executeQuery(this.compile(db));
  }
}

const texts = new WeakMap<TemplateStringsArray, string>();

function textOf(pieces: TemplateStringsArray): string {
  let text = texts.get(pieces);
  if (text === undefined) {
    text = pieces.reduce((joined, piece, i) => `${joined}$${i}${piece}`);
    texts.set(pieces, text);
  }
  return text;
}
