import type { Selectable } from 'kysely';
import { boundaryProblem, boundingBox, containsPoint, isValidPoint, type Boundary, type Point } from '../geo/geo.ts';
import type { WorkCalendar } from '../calendar/working-time.ts';
import { DomainError } from '../errors.ts';
import type { Db } from '../db/types.ts';
import type { MunicipalityTable } from './municipality.table.ts';

export interface Municipality {
  id: number;
  nameRu: string;
  nameEn: string;
  oktmo: string;
  populationOver14: number;
  timeZone: string;
  boundary: Boundary | null;
  answersNeedApproval: boolean;
  calendar: WorkCalendar;
}

export function toMunicipality(row: Selectable<MunicipalityTable>): Municipality {
  return {
    id: row.id,
    nameRu: row.name_ru,
    nameEn: row.name_en,
    oktmo: row.oktmo,
    populationOver14: row.population_over_14,
    timeZone: row.time_zone,
    boundary: row.boundary,
    answersNeedApproval: row.answers_need_approval,
    calendar: { timeZone: row.time_zone, config: row.work_calendar ?? {} },
  };
}

export async function listMunicipalities(db: Db): Promise<Municipality[]> {
  const rows = await db.selectFrom('municipality').selectAll().orderBy('name_ru').execute();
  return rows.map(toMunicipality);
}

export async function getMunicipality(db: Db, id: number): Promise<Municipality> {
  const row = await db.selectFrom('municipality').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', { entity: 'municipality', id });
  return toMunicipality(row);
}

/**
 * The municipality whose boundary contains the point: an indexed bounding-box prefilter in SQL,
 * then the exact polygon test. Throws INVALID_POINT or OUTSIDE_MUNICIPALITY.
 */
export async function findMunicipalityByPoint(db: Db, point: Point): Promise<Municipality> {
  if (!isValidPoint(point)) throw new DomainError('INVALID_POINT', { ...point });
  const candidates = await db
    .selectFrom('municipality')
    .selectAll()
    .where('min_lat', '<=', point.lat)
    .where('max_lat', '>=', point.lat)
    .where('min_lon', '<=', point.lon)
    .where('max_lon', '>=', point.lon)
    .execute();
  const found = candidates.find((row) => row.boundary && containsPoint(row.boundary, point));
  if (!found) throw new DomainError('OUTSIDE_MUNICIPALITY', { ...point });
  return toMunicipality(found);
}

/** Stores a validated boundary together with its bounding box (used by the SQL prefilter). */
export async function setBoundary(db: Db, municipalityId: number, boundary: unknown): Promise<void> {
  const problem = boundaryProblem(boundary);
  if (problem) throw new DomainError('VALIDATION', { field: 'boundary', problem });
  const box = boundingBox(boundary as Boundary);
  const result = await db
    .updateTable('municipality')
    .set({
      boundary: JSON.stringify(boundary),
      min_lat: box.minLat,
      max_lat: box.maxLat,
      min_lon: box.minLon,
      max_lon: box.maxLon,
    })
    .where('id', '=', municipalityId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new DomainError('NOT_FOUND', { entity: 'municipality', id: municipalityId });
}
