import { sql, type Selectable } from 'kysely';
import { boundaryProblem, boundingBox, containsPoint, isValidPoint, type Boundary, type Point } from '../geo/geo.ts';
import type { OverlapChecker } from '../geo/overlap-check.ts';
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
  if (!row) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id });
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

/** Advisory lock key of boundary uploads; any constant unique among the app's advisory locks. */
const BOUNDARY_LOCK_ID = 0x4f746b42; // 'OtkB'

/**
 * Refuses a boundary that shares area with another municipality's (BOUNDARY_OVERLAP naming it): a
 * point there would belong to both, and messages would land in whichever the prefilter met first.
 * Touching along a border is fine. Serialised by an advisory lock held to the end of the caller's
 * transaction, so two overlapping uploads at once cannot both pass. The comparison runs on a worker
 * thread within BOUNDARY_CHECK_TIMEOUT_MS (core/geo/overlap-check.ts).
 */
async function refuseOverlap(db: Db, checker: OverlapChecker, municipalityId: number, boundary: Boundary, box: ReturnType<typeof boundingBox>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${BOUNDARY_LOCK_ID})`.execute(db);
  const q = db
    .selectFrom('municipality')
    .select(['id', 'name_ru', 'name_en', 'boundary'])
    .where('boundary', 'is not', null)
    .where('min_lat', '<', box.maxLat)
    .where('max_lat', '>', box.minLat)
    .where('min_lon', '<', box.maxLon)
    .where('max_lon', '>', box.minLon)
    .where('id', '!=', municipalityId)
    .orderBy('id');
  const others = (await q.execute()).flatMap(({ boundary, ...other }) => (boundary ? [{ ...other, boundary }] : []));
  const verdict = await checker.firstOverlap(
    boundary,
    others.map((other) => other.boundary),
  );
  const other = others[verdict.index];
  if (!other) return;
  if (verdict.failed !== undefined) {
    // The polygon library can fail on a geometry it cannot resolve (polygon-clipping: "Unable to
    // complete output ring …", e.g. rings crossing themselves): a boundary to correct, not a 500.
    throw new DomainError('VALIDATION', {
      field: 'boundary',
      municipalityId: other.id,
      problem: `it could not be compared with the boundary of ${other.name_en} (${other.name_ru}, id ${other.id}): ${verdict.failed}. Check that no ring crosses itself or another, or simplify the boundary.`,
    });
  }
  throw new DomainError(
    'BOUNDARY_OVERLAP',
    { field: 'boundary', municipalityId: other.id, nameRu: other.name_ru, nameEn: other.name_en },
    `The boundary overlaps the boundary of ${other.name_en} (${other.name_ru}, id ${other.id}): municipalities may share a border but not area. Correct one of the two boundaries.`,
  );
}

/**
 * Stores a validated boundary together with its bounding box (used by the SQL prefilter), once the
 * app's `checker` found it overlaps no other municipality's.
 */
export async function setBoundary(db: Db, checker: OverlapChecker, municipalityId: number, boundary: unknown): Promise<void> {
  const problem = boundaryProblem(boundary);
  if (problem) throw new DomainError('VALIDATION', { field: 'boundary', problem });
  const box = boundingBox(boundary as Boundary);
  // An unknown municipality is 404 whatever its boundary would overlap.
  const exists = await db.selectFrom('municipality').select('id').where('id', '=', municipalityId).executeTakeFirst();
  if (!exists) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
  await refuseOverlap(db, checker, municipalityId, boundary as Boundary, box);
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
  if (result.numUpdatedRows === 0n) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
}
