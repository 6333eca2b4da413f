import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { idCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';

/** Who did a write and through what: recorded with every change made through the admin API. */
export interface AuditContext {
  staffId: number;
  apiKeyId: number | null;
  requestId: string | null;
}

export interface AuditFacts {
  action: string;
  entity: string;
  entityId: number | string | null;
  municipalityId: number | null;
  /** Ids and changed settings only: never names, phones or message texts. */
  data?: Record<string, unknown>;
}

export interface AuditEntry extends AuditFacts {
  id: number;
  staffId: number | null;
  apiKeyId: number | null;
  requestId: string | null;
  entityId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** An entry as the audit log lists it: with its actor's name (an operator's too, whom a curator's staff list leaves out). */
export interface ListedAuditEntry extends AuditEntry {
  staffName: string | null;
}

/** Written in the transaction of the change itself, so there is no change without its entry. */
export async function recordAudit(db: Db, context: AuditContext, facts: AuditFacts, now: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      staff_id: context.staffId,
      api_key_id: context.apiKeyId,
      request_id: context.requestId,
      action: facts.action,
      entity: facts.entity,
      entity_id: facts.entityId === null ? null : String(facts.entityId),
      municipality_id: facts.municipalityId,
      data: JSON.stringify(facts.data ?? {}),
      created_at: now,
    })
    .execute();
}

export interface AuditFilter {
  /** null: every municipality, including platform-wide entries (operators only). */
  municipalityId: number | null;
  staffId?: number;
  action?: string;
  entity?: string;
  entityId?: string;
  from?: Date;
  to?: Date;
  /** false: leave out the entries about an operator or an operator's key (only operators see the platform's own staff). */
  withOperators?: boolean;
}

/** Newest first. */
export async function listAudit(db: Db, filter: AuditFilter, page: PageRequest): Promise<Page<ListedAuditEntry>> {
  const limit = pageSize(page.limit);
  const before = idCursor(page.cursor);
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff as s', 's.id', 'a.staff_id')
    .selectAll('a')
    .select('s.full_name as staff_name')
    .orderBy('a.id', 'desc')
    .limit(limit + 1);
  if (filter.municipalityId !== null) query = query.where('a.municipality_id', '=', filter.municipalityId);
  if (filter.withOperators === false) {
    query = query.where((eb) =>
      eb.not(
        eb.or([
          eb.and([eb('a.entity', '=', 'staff'), eb('a.entity_id', 'in', eb.selectFrom('staff as o').select(sql<string>`o.id::text`.as('id')).where('o.role', '=', 'operator'))]),
          eb.and([
            eb('a.entity', '=', 'api_key'),
            eb('a.entity_id', 'in', eb.selectFrom('api_key as k').innerJoin('staff as o', 'o.id', 'k.staff_id').select(sql<string>`k.id::text`.as('id')).where('o.role', '=', 'operator')),
          ]),
        ]),
      ),
    );
  }
  if (filter.staffId !== undefined) query = query.where('a.staff_id', '=', filter.staffId);
  if (filter.action) query = query.where('a.action', '=', filter.action);
  if (filter.entity) query = query.where('a.entity', '=', filter.entity);
  if (filter.entityId) query = query.where('a.entity_id', '=', filter.entityId);
  if (filter.from) query = query.where('a.created_at', '>=', filter.from);
  if (filter.to) query = query.where('a.created_at', '<', filter.to);
  if (before !== undefined) query = query.where('a.id', '<', before);
  const rows = await query.execute();
  return toPage(
    rows,
    limit,
    (r) => ({
      id: r.id,
      staffId: r.staff_id,
      staffName: r.staff_name,
      apiKeyId: r.api_key_id,
      requestId: r.request_id,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      municipalityId: r.municipality_id,
      data: r.data,
      createdAt: r.created_at,
    }),
    (r) => ({ v: null, id: r.id }),
  );
}
