import type { Context } from 'hono';
import type { Transaction } from 'kysely';
import { scopeOf, type Scope } from '../../core/access/scope.ts';
import type { Principal } from '../../core/access/principal.ts';
import { recordAudit, type AuditFacts } from '../../core/audit/audit.service.ts';
import { changedFields } from '../../core/audit/changes.ts';
import type { Database } from '../../core/db/database.ts';
import type { ApiDeps, ApiEnv } from './env.ts';

export interface WriteContext {
  trx: Transaction<Database>;
  now: Date;
  principal: Principal;
  scope: Scope;
}

/**
 * Runs a write in one transaction together with its audit entry (who, which key, which request,
 * what): if either fails, neither happens. Every route that changes something goes through here;
 * an idempotent repeat that changed nothing returns `audit: null` and leaves no entry.
 */
export async function audited<T>(
  c: Context<ApiEnv>,
  deps: Pick<ApiDeps, 'db' | 'clock'>,
  write: (ctx: WriteContext) => Promise<{ result: T; audit: AuditFacts | null }>,
): Promise<T> {
  const principal = c.get('principal');
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock();
    const { result, audit } = await write({ trx, now, principal, scope: scopeOf(principal) });
    if (audit) await recordAudit(trx, { staffId: principal.staffId, apiKeyId: principal.keyId, requestId: c.get('requestId') }, audit, now);
    return result;
  });
}

/**
 * The audit entry of an edit (PATCH, or a PUT of a setting): none when it changed nothing (every
 * field given already held that value, or none was given), since a repeat writes no entry. `after`
 * is the stored object after the write or the patch itself (then only the fields it gives are
 * compared); stamps (updatedAt, editedAt) are no change. `facts` gets the names of the changed fields.
 */
export function editAudit(before: object, after: object, facts: (changed: string[]) => AuditFacts): AuditFacts | null {
  const changed = changedFields(before, after, EDIT_STAMPS);
  return changed.length > 0 ? facts(changed) : null;
}

const EDIT_STAMPS = ['updatedAt', 'editedAt'];

/** The fields of a patch that changed, with their values: what an entry records of an edit to settings. */
export function changedPart<T extends object>(patch: T, changed: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([key]) => changed.includes(key))) as Partial<T>;
}
