import { sql } from 'kysely';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { issueKey } from './api-keys.service.ts';

/** A bootstrap token grants everything: refuse one that could be guessed. */
export const MIN_BOOTSTRAP_TOKEN_LENGTH = 32;
export const BOOTSTRAP_OPERATOR_NAME = 'Bootstrap operator';
/** Advisory lock key of the bootstrap; any constant unique among the app's advisory locks. */
const BOOTSTRAP_LOCK_ID = 4_000_001;

/**
 * ADMIN_BOOTSTRAP_TOKEN: on a database with no operator at all, creates an operator and a key
 * whose token is exactly the given value, so a fresh install can be driven at once. Does nothing
 * once any operator exists (the token is then ignored and can be removed from the environment).
 * Returns the new operator's staff id, or null when nothing was created.
 */
export function bootstrapOperator(db: Db, token: string, now: Date): Promise<number | null> {
  return inTransaction(db, async (trx) => {
    if (token.length < MIN_BOOTSTRAP_TOKEN_LENGTH) throw new DomainError('WEAK_BOOTSTRAP_TOKEN', { minLength: MIN_BOOTSTRAP_TOKEN_LENGTH });
    // Two processes starting at once must not both create an operator.
    await sql`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID})`.execute(trx);
    const existing = await trx.selectFrom('staff').select('id').where('role', '=', 'operator').limit(1).executeTakeFirst();
    if (existing) return null;
    const staff = await trx
      .insertInto('staff')
      .values({ full_name: BOOTSTRAP_OPERATOR_NAME, role: 'operator', municipality_id: null, executor_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await issueKey(trx, { staffId: staff.id, label: 'bootstrap', createdBy: null, token }, now);
    return staff.id;
  });
}
