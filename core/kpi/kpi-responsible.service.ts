import type { Db } from '../db/types.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError } from '../errors.ts';

/** The platform's KPI indicators of one municipality are numbered 1..16 (seed 000, table 2). */
export const KPI_NUMBERS = Array.from({ length: 16 }, (_, i) => i + 1);

export interface KpiResponsible {
  id: number;
  municipalityId: number;
  kpi: number;
  staffId: number;
  createdAt: Date;
}

function toResponsible(r: { id: number; municipality_id: number; kpi: number; staff_id: number; created_at: Date }): KpiResponsible {
  return { id: r.id, municipalityId: r.municipality_id, kpi: r.kpi, staffId: r.staff_id, createdAt: r.created_at };
}

export async function listKpiResponsibles(db: Db, filter: { municipalityId: number | null; kpi?: number }): Promise<KpiResponsible[]> {
  let query = db.selectFrom('kpi_responsible').selectAll().orderBy('municipality_id').orderBy('kpi').orderBy('id');
  if (filter.municipalityId !== null) query = query.where('municipality_id', '=', filter.municipalityId);
  if (filter.kpi !== undefined) query = query.where('kpi', '=', filter.kpi);
  return (await query.execute()).map(toResponsible);
}

export async function getKpiResponsible(db: Db, id: number): Promise<KpiResponsible> {
  const row = await db.selectFrom('kpi_responsible').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('KPI_RESPONSIBLE_NOT_FOUND', { id });
  return toResponsible(row);
}

/**
 * Names an active official of the municipality as responsible for one indicator; they receive
 * that indicator's alerts. Naming the same person twice returns the existing assignment.
 */
export function assignKpiResponsible(db: Db, input: { municipalityId: number; kpi: number; staffId: number }, now: Date): Promise<{ assignment: KpiResponsible; created: boolean }> {
  return inTransaction(db, async (trx) => {
    if (!KPI_NUMBERS.includes(input.kpi)) throw new DomainError('VALIDATION', { field: 'kpi', problem: '1 to 16' });
    const staff = await trx.selectFrom('staff').select(['id', 'municipality_id', 'active']).where('id', '=', input.staffId).executeTakeFirst();
    if (!staff || staff.municipality_id !== input.municipalityId) throw new DomainError('STAFF_NOT_FOUND', { id: input.staffId });
    if (!staff.active) throw new DomainError('VALIDATION', { field: 'staffId', problem: 'staff member is inactive' });
    const inserted = await trx
      .insertInto('kpi_responsible')
      .values({ municipality_id: input.municipalityId, kpi: input.kpi, staff_id: input.staffId, created_at: now })
      .onConflict((oc) => oc.columns(['municipality_id', 'kpi', 'staff_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    const row = await trx
      .selectFrom('kpi_responsible')
      .selectAll()
      .where('municipality_id', '=', input.municipalityId)
      .where('kpi', '=', input.kpi)
      .where('staff_id', '=', input.staffId)
      .executeTakeFirstOrThrow();
    return { assignment: toResponsible(row), created: inserted !== undefined };
  });
}

export async function removeKpiResponsible(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom('kpi_responsible').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new DomainError('KPI_RESPONSIBLE_NOT_FOUND', { id });
}

/**
 * Active officials responsible for KPI `kpi` (1..16) of a municipality: those named one by one and
 * the members of every group named for it (a working group, seed 000), each once.
 */
export async function kpiResponsibleStaffIds(db: Db, municipalityId: number, kpi: number): Promise<number[]> {
  const direct = db.selectFrom('kpi_responsible as k').select('k.staff_id as id').where('k.municipality_id', '=', municipalityId).where('k.kpi', '=', kpi);
  const grouped = db
    .selectFrom('kpi_responsible_group as g')
    .innerJoin('staff_group_member as gm', 'gm.group_id', 'g.group_id')
    .select('gm.staff_id as id')
    .where('g.municipality_id', '=', municipalityId)
    .where('g.kpi', '=', kpi);
  const rows = await db
    .selectFrom('staff as s')
    .select('s.id')
    .where('s.id', 'in', direct.union(grouped))
    .where('s.active', '=', true)
    .where('s.municipality_id', '=', municipalityId)
    .orderBy('s.id')
    .execute();
  return rows.map((r) => r.id);
}

/** The indicators an official answers for, in person or as a member of a group, in order. */
export async function kpiNumbersOf(db: Db, staffId: number): Promise<number[]> {
  const direct = db.selectFrom('kpi_responsible').select('kpi').where('staff_id', '=', staffId);
  const grouped = db.selectFrom('kpi_responsible_group as g').innerJoin('staff_group_member as gm', 'gm.group_id', 'g.group_id').select('g.kpi').where('gm.staff_id', '=', staffId);
  const rows = await direct.union(grouped).execute();
  return [...new Set(rows.map((r) => r.kpi))].sort((a, b) => a - b);
}
