import type { Transaction } from 'kysely';
import type { Database } from './database.ts';
import type { Db } from './types.ts';

/** Runs `fn` in the caller's transaction if there is one, else in a new one. */
export function inTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}
