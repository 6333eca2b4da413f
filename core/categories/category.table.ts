import type { Generated } from 'kysely';

export interface SectorTable {
  id: Generated<number>;
  code: string;
  title_ru: string;
  title_en: string;
  position: Generated<number>;
  /** false: the whole sector is retired (its categories leave filing). */
  active: Generated<boolean>;
}

export interface CategoryTable {
  id: Generated<number>;
  sector_id: number;
  code: string;
  title_ru: string;
  title_en: string;
  position: Generated<number>;
  active: Generated<boolean>;
}

export interface CategoryTables {
  sector: SectorTable;
  category: CategoryTable;
}
