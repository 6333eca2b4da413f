import type { Context } from 'hono';
import type { Transaction } from 'kysely';
import { scopeOf, type Scope } from '../../core/access/scope.ts';
import type { Principal } from '../../core/access/principal.ts';
import { recordAudit, type AuditFacts } from '../../core/audit/audit.service.ts';
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

/** The audit entry of an edit (PATCH): none when the body names no field, since nothing changed. */
export function editAudit(patch: object, facts: AuditFacts): AuditFacts | null {
  return Object.keys(patch).length > 0 ? facts : null;
}
