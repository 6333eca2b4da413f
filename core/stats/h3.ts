import { createRequire } from 'node:module';
import { sql, type RawBuilder } from 'kysely';
import type { Point } from '../geo/geo.ts';

/** Each message stores its H3 cell at this resolution; coarser ones are derived from it. */
export const STORED_RESOLUTION = 10;
export const MIN_RESOLUTION = 5;
export const MAX_RESOLUTION = STORED_RESOLUTION;

/**
 * h3-js reserves a 32 MB WebAssembly heap (about 10 MB of it resident) when it loads: it is loaded
 * on first use, by the first geotagged message or heat map, not by every process at start.
 */
let library: typeof import('h3-js') | undefined;
const h3 = () => (library ??= createRequire(import.meta.url)('h3-js') as typeof import('h3-js'));

/** The stored form of a point's cell: the H3 index as a decimal bigint string (column `h3_r10`). */
export function storedCell(point: Point): string {
  return BigInt(`0x${h3().latLngToCell(point.lat, point.lon, STORED_RESOLUTION)}`).toString();
}

/**
 * The parent at `resolution` of a stored cell, in SQL. An H3 index keeps its resolution in bits
 * 52-55 and one 3-bit digit per resolution below that, unused digits all ones; so the parent is
 * the same index with the resolution field replaced and the finer digits set to 7. This is what
 * h3-js's cellToParent does (a test compares the two), without running H3 code per row.
 * The result is a bigint; `to_hex` of it is the lower-case hex string h3-js uses.
 */
export function parentCellSql(column: RawBuilder<unknown>, resolution: number): RawBuilder<string> {
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > STORED_RESOLUTION) throw new RangeError(`resolution ${resolution}`);
  const clearResolution = (~(15n << 52n)).toString();
  const setResolution = (BigInt(resolution) << 52n).toString();
  const finerDigits = ((1n << BigInt(3 * (15 - resolution))) - 1n).toString();
  return sql<string>`((${column} & ${sql.lit(clearResolution)}::bigint) | ${sql.lit(setResolution)}::bigint | ${sql.lit(finerDigits)}::bigint)`;
}

/** The hexagon (or pentagon) of a cell as a closed GeoJSON ring, [lon, lat]. */
export function cellPolygon(cell: string): [number, number][][] {
  return [h3().cellToBoundary(cell, true) as [number, number][]];
}
