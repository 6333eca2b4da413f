import type { Selectable } from 'kysely';
import type { Db, Language } from '../db/types.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError } from '../errors.ts';
import { idCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';
import type { StaffRole, StaffTable } from '../staff/staff.table.ts';

export interface Staff {
  id: number;
  fullName: string;
  role: StaffRole;
  municipalityId: number | null;
  executorId: number | null;
  language: Language;
  active: boolean;
  /** Moderators: a card per new message at once, hourly, or only in the 09:00 digest. */
  newMessageAlerts: 'immediate' | 'hourly' | 'digest';
  createdAt: Date;
}

export function toStaff(row: Selectable<StaffTable>): Staff {
  return {
    id: row.id,
    fullName: row.full_name,
    role: row.role,
    municipalityId: row.municipality_id,
    executorId: row.executor_id,
    language: row.language,
    active: row.active,
    newMessageAlerts: row.new_message_alerts,
    createdAt: row.created_at,
  };
}

export async function getStaff(db: Db, id: number): Promise<Staff> {
  const row = await db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('STAFF_NOT_FOUND', { id });
  return toStaff(row);
}

export interface NewStaff {
  fullName: string;
  role: StaffRole;
  municipalityId?: number | null;
  executorId?: number | null;
  language?: Language;
}

/**
 * Operators belong to no municipality; everyone else to exactly one; an executor official acts
 * for one executor organisation of that municipality.
 */
export function createStaff(db: Db, input: NewStaff): Promise<Staff> {
  return inTransaction(db, async (trx) => {
    const fullName = input.fullName.trim();
    if (!fullName) throw new DomainError('VALIDATION', { field: 'fullName', problem: 'empty' });
    // Omitted is a mistake; an explicit null makes a regional official (whole region scope, issue 18 item 20).
    if (input.role === 'operator' && input.municipalityId != null) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'operators act on every municipality' });
    if (input.role !== 'operator' && input.municipalityId === undefined) throw new DomainError('VALIDATION', { field: 'municipalityId', problem: 'required for this role (null: a regional official)' });
    const municipalityId = input.role === 'operator' ? null : (input.municipalityId ?? null);
    if (input.role !== 'executor' && input.executorId != null) throw new DomainError('VALIDATION', { field: 'executorId', problem: 'only for executors' });
    if (input.role === 'executor' && input.executorId == null) throw new DomainError('VALIDATION', { field: 'executorId', problem: 'required for executors' });
    if (municipalityId !== null) {
      const municipality = await trx.selectFrom('municipality').select('id').where('id', '=', municipalityId).executeTakeFirst();
      if (!municipality) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
    }
    if (input.executorId != null) {
      const executor = await trx.selectFrom('executor').select(['id', 'municipality_id']).where('id', '=', input.executorId).executeTakeFirst();
      if (!executor) throw new DomainError('EXECUTOR_NOT_FOUND', { id: input.executorId });
      if (executor.municipality_id !== municipalityId) throw new DomainError('EXECUTOR_OUT_OF_SCOPE', { executorId: executor.id, municipalityId });
    }
    const row = await trx
      .insertInto('staff')
      .values({ full_name: fullName, role: input.role, municipality_id: municipalityId, executor_id: input.executorId ?? null, ...(input.language && { language: input.language }) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStaff(row);
  });
}

export async function listStaff(
  db: Db,
  filter: { municipalityId: number | null; role?: StaffRole; active?: boolean; ids?: number[]; withOperators?: boolean },
  page: PageRequest,
): Promise<Page<Staff>> {
  const limit = pageSize(page.limit);
  const after = idCursor(page.cursor);
  let query = db.selectFrom('staff').selectAll().orderBy('id').limit(limit + 1);
  if (filter.municipalityId !== null) query = query.where('municipality_id', '=', filter.municipalityId);
  if (filter.withOperators === false) query = query.where('role', '<>', 'operator');
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids);
  if (after !== undefined) query = query.where('id', '>', after);
  return toPage(await query.execute(), limit, toStaff, (r) => ({ v: null, id: r.id }));
}

/**
 * Whether at least one active operator other than `exceptStaffId` still holds a live key
 * (ignoring `exceptKeyId`): the platform must never lock its operators out. Locks the operators'
 * rows first (in id order, FOR NO KEY UPDATE), so two operators deactivating each other, or two keys
 * of the last one revoked, at the same moment are answered one after the other: the second sees the
 * first and is refused. NO KEY: the audit entry's foreign key share-locks its author's row.
 */
export async function anotherOperatorCanSignIn(db: Db, except: { staffId?: number; keyId?: number }): Promise<boolean> {
  await db.selectFrom('staff').select('id').where('role', '=', 'operator').orderBy('id').forNoKeyUpdate().execute();
  let query = db
    .selectFrom('api_key')
    .innerJoin('staff', 'staff.id', 'api_key.staff_id')
    .select('api_key.id')
    .where('staff.role', '=', 'operator')
    .where('staff.active', '=', true)
    .where('api_key.kind', '=', 'key') // a console session expires: it keeps nobody able to sign in
    .where('api_key.revoked_at', 'is', null);
  if (except.staffId !== undefined) query = query.where('staff.id', '<>', except.staffId);
  if (except.keyId !== undefined) query = query.where('api_key.id', '<>', except.keyId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

export function updateStaff(db: Db, id: number, patch: { fullName?: string; active?: boolean; language?: Language; newMessageAlerts?: 'immediate' | 'hourly' | 'digest' }): Promise<Staff> {
  return inTransaction(db, async (trx) => {
    // An operator's deactivation takes the operators' locks before its own row's (anotherOperatorCanSignIn's
    // order), so two of them cannot each hold one and wait for the other.
    const target = await trx.selectFrom('staff').select('role').where('id', '=', id).executeTakeFirst();
    if (target?.role === 'operator' && patch.active === false) await trx.selectFrom('staff').select('id').where('role', '=', 'operator').orderBy('id').forNoKeyUpdate().execute();
    // NO KEY: the audit entry written in the same request share-locks its author's row (a foreign key).
    const current = await trx.selectFrom('staff').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
    if (!current) throw new DomainError('STAFF_NOT_FOUND', { id });
    const fullName = patch.fullName?.trim();
    if (patch.fullName !== undefined && !fullName) throw new DomainError('VALIDATION', { field: 'fullName', problem: 'empty' });
    if (patch.active === false && current.active && current.role === 'operator' && !(await anotherOperatorCanSignIn(trx, { staffId: id }))) {
      throw new DomainError('LAST_OPERATOR', { staffId: id });
    }
    const values = {
      ...(fullName && { full_name: fullName }),
      ...(patch.active !== undefined && { active: patch.active }),
      ...(patch.language && { language: patch.language }),
      ...(patch.newMessageAlerts && { new_message_alerts: patch.newMessageAlerts }),
    };
    if (Object.keys(values).length === 0) return toStaff(current);
    const row = await trx
      .updateTable('staff')
      .set(values)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Deactivated: the alerts, cards and digests still waiting to go to them are not sent afterwards
    // (a row held by a rate limit or retrying after a messenger's failure). Rows of the same account
    // as a resident are not theirs as staff and go as usual; one being sent right now may still land.
    if (patch.active === false && current.active) {
      await trx.updateTable('outbox').set({ state: 'cancelled', last_error: 'staff member deactivated' }).where('staff_id', '=', id).where('recipient_kind', '=', 'staff').where('state', '=', 'pending').execute();
    }
    return toStaff(row);
  });
}
