import type { StaffRole } from '../staff/staff.table.ts';

/**
 * The staff member behind an authenticated request. `municipalityId` is null only for operators,
 * who act on every municipality; `executorId` is set only for executors.
 */
export interface Principal {
  staffId: number;
  keyId: number;
  role: StaffRole;
  municipalityId: number | null;
  executorId: number | null;
}
