import type { Generated } from 'kysely';

export interface KpiResponsibleTable {
  id: Generated<number>;
  municipality_id: number;
  kpi: number;
  staff_id: number;
  created_at: Date;
}

export interface KpiTables {
  kpi_responsible: KpiResponsibleTable;
}
