import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { KPI_NUMBERS } from './kpi-responsible.service.ts';

/** A name as people read it: case and runs of spaces aside ("Штаб" and "ШТАБ  " are one group), as placements compare addresses. */
const sameName = (name: string) => sql<boolean>`lower(regexp_replace(btrim(name), '\\s+', ' ', 'g')) = lower(regexp_replace(btrim(${name}::text), '\\s+', ' ', 'g'))`;

export interface StaffGroup {
  id: number;
  municipalityId: number;
  name: string;
  staffIds: number[];
  /** Indicators the group is responsible for. */
  kpis: number[];
}

/**
 * A group of officials of one municipality (seed 000's «члены рабочей группы»), with its members
 * and the indicators it answers for. Saving replaces members and indicators as given; every member
 * must be an active official of the municipality. Runs in the caller's transaction (audited route).
 */
export async function saveStaffGroup(db: Db, input: { id?: number; municipalityId: number; name: string; staffIds: number[]; kpis: number[] }, now: Date): Promise<StaffGroup> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new DomainError('VALIDATION', { field: 'name', problem: '1 to 200 characters' });
  const kpis = [...new Set(input.kpis)].sort((a, b) => a - b);
  if (kpis.some((k) => !KPI_NUMBERS.includes(k))) throw new DomainError('VALIDATION', { field: 'kpis', problem: '1 to 16' });
  const staffIds = [...new Set(input.staffIds)].sort((a, b) => a - b);
  if (staffIds.length > 0) {
    const found = await db.selectFrom('staff').select(['id', 'active']).where('id', 'in', staffIds).where('municipality_id', '=', input.municipalityId).execute();
    const missing = staffIds.find((id) => !found.some((f) => f.id === id));
    if (missing !== undefined) throw new DomainError('STAFF_NOT_FOUND', { id: missing });
    if (found.some((f) => !f.active)) throw new DomainError('VALIDATION', { field: 'staffIds', problem: 'an official is inactive' });
  }
  let id = input.id;
  if (id === undefined) {
    const clash = await db.selectFrom('staff_group').select('id').where('municipality_id', '=', input.municipalityId).where(sameName(name)).executeTakeFirst();
    if (clash) throw new DomainError('ALREADY_EXISTS', { field: 'name', id: clash.id });
    id = (await db.insertInto('staff_group').values({ municipality_id: input.municipalityId, name, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  } else {
    const existing = await db.selectFrom('staff_group').select('municipality_id').where('id', '=', id).executeTakeFirst();
    if (!existing || existing.municipality_id !== input.municipalityId) throw new DomainError('STAFF_GROUP_NOT_FOUND', { id });
    const clash = await db.selectFrom('staff_group').select('id').where('municipality_id', '=', input.municipalityId).where(sameName(name)).where('id', '!=', id).executeTakeFirst();
    if (clash) throw new DomainError('ALREADY_EXISTS', { field: 'name', id: clash.id });
    await db.updateTable('staff_group').set({ name }).where('id', '=', id).execute();
  }
  await db.deleteFrom('staff_group_member').where('group_id', '=', id).execute();
  if (staffIds.length > 0)
    await db
      .insertInto('staff_group_member')
      .values(staffIds.map((staffId) => ({ group_id: id, staff_id: staffId })))
      .execute();
  await db.deleteFrom('kpi_responsible_group').where('group_id', '=', id).execute();
  if (kpis.length > 0) {
    await db
      .insertInto('kpi_responsible_group')
      .values(kpis.map((kpi) => ({ municipality_id: input.municipalityId, kpi, group_id: id, created_at: now })))
      .execute();
  }
  return { id, municipalityId: input.municipalityId, name, staffIds, kpis };
}

export async function listStaffGroups(db: Db, municipalityId: number | null): Promise<StaffGroup[]> {
  let q = db.selectFrom('staff_group').select(['id', 'municipality_id', 'name']).orderBy('municipality_id').orderBy('id');
  if (municipalityId !== null) q = q.where('municipality_id', '=', municipalityId);
  const groups = await q.execute();
  if (groups.length === 0) return [];
  const ids = groups.map((g) => g.id);
  const members = await db.selectFrom('staff_group_member').select(['group_id', 'staff_id']).where('group_id', 'in', ids).orderBy('staff_id').execute();
  const kpis = await db.selectFrom('kpi_responsible_group').select(['group_id', 'kpi']).where('group_id', 'in', ids).orderBy('kpi').execute();
  return groups.map((g) => ({
    id: g.id,
    municipalityId: g.municipality_id,
    name: g.name,
    staffIds: members.filter((m) => m.group_id === g.id).map((m) => m.staff_id),
    kpis: kpis.filter((k) => k.group_id === g.id).map((k) => k.kpi),
  }));
}
