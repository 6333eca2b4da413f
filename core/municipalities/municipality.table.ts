import type { Generated, JSONColumnType } from 'kysely';
import type { Boundary } from '../geo/geo.ts';
import type { WorkCalendarConfig } from '../calendar/working-time.ts';

export interface MunicipalityTable {
  id: Generated<number>;
  name_ru: string;
  name_en: string;
  oktmo: string;
  population_over_14: number;
  time_zone: Generated<string>;
  boundary: JSONColumnType<Boundary | null, string | null, string | null>;
  min_lat: number | null;
  max_lat: number | null;
  min_lon: number | null;
  max_lon: number | null;
  answers_need_approval: Generated<boolean>;
  work_calendar: JSONColumnType<WorkCalendarConfig, string | undefined, string>;
  created_at: Generated<Date>;
}

export interface MunicipalityTables {
  municipality: MunicipalityTable;
}
