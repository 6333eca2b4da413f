import type { JSONColumnType } from 'kysely';

export interface ProductionCalendarTable {
  year: number;
  source: string;
  days_off: JSONColumnType<string[], string, string>;
  shortened: JSONColumnType<string[], string, string>;
  working_weekends: JSONColumnType<string[], string, string>;
  imported_at: Date;
}

export interface ProductionCalendarTables {
  production_calendar: ProductionCalendarTable;
}
