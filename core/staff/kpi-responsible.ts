import type { Db } from '../db/types.ts';

/** Active officials responsible for KPI `kpi` (1..16) of a municipality. */
export async function kpiResponsibleStaffIds(db: Db, municipalityId: number, kpi: number): Promise<number[]> {
  const rows = await db
    .selectFrom('kpi_responsible as k')
    .innerJoin('staff as s', 's.id', 'k.staff_id')
    .select('s.id')
    .where('k.municipality_id', '=', municipalityId)
    .where('k.kpi', '=', kpi)
    .where('s.active', '=', true)
    .orderBy('s.id')
    .execute();
  return rows.map((r) => r.id);
}
