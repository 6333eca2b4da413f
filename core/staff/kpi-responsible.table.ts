import type { Generated } from 'kysely';

/** Officials responsible for a KPI indicator (1..16) of a municipality; they get its alerts. */
export interface KpiResponsibleTable {
  id: Generated<number>;
  municipality_id: number;
  kpi: number;
  staff_id: number;
}

export interface KpiResponsibleTables {
  kpi_responsible: KpiResponsibleTable;
}
