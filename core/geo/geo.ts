/** GeoJSON geometry of a municipality: coordinates are [lon, lat], rings closed. */
export type Position = [number, number];
export type Boundary =
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface Point {
  lat: number;
  lon: number;
}
export interface BoundingBox {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

const EARTH_RADIUS_M = 6_371_008.8;

export function isValidPoint(p: Point): boolean {
  return (
    Number.isFinite(p.lat) && Number.isFinite(p.lon) &&
    Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180 &&
    // 0,0 is what a broken client sends; nothing of ours is in the Gulf of Guinea.
    !(p.lat === 0 && p.lon === 0)
  );
}

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: Point, b: Point): number {
  const toRad = (d: number) => (d * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

/** A box certainly containing every point within `radiusM` of `center` (prefilter before exact distance). */
export function boxAround(center: Point, radiusM: number): BoundingBox {
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLon = dLat / Math.max(Math.cos((center.lat * Math.PI) / 180), 1e-6);
  return { minLat: center.lat - dLat, maxLat: center.lat + dLat, minLon: center.lon - dLon, maxLon: center.lon + dLon };
}

export function polygons(boundary: Boundary): Position[][][] {
  return boundary.type === 'Polygon' ? [boundary.coordinates] : boundary.coordinates;
}

export function boundingBox(boundary: Boundary): BoundingBox {
  const box = { minLat: Infinity, maxLat: -Infinity, minLon: Infinity, maxLon: -Infinity };
  for (const polygon of polygons(boundary)) {
    for (const [lon, lat] of polygon[0] ?? []) {
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
      box.minLon = Math.min(box.minLon, lon);
      box.maxLon = Math.max(box.maxLon, lon);
    }
  }
  return box;
}

/** Even-odd ray casting: inside the outer ring and outside every hole. */
function inRing(ring: Position[], p: Point): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p.lat !== yj > p.lat && p.lon < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function containsPoint(boundary: Boundary, p: Point): boolean {
  return polygons(boundary).some(
    ([outer, ...holes]) => outer !== undefined && inRing(outer, p) && !holes.some((h) => inRing(h, p)),
  );
}

/** Checks a GeoJSON Polygon / MultiPolygon for the shape we rely on; returns a reason or null. */
export function boundaryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  if (type !== 'Polygon' && type !== 'MultiPolygon') return 'type must be Polygon or MultiPolygon';
  const polys = (type === 'Polygon' ? [coordinates] : coordinates) as unknown;
  if (!Array.isArray(polys) || polys.length === 0) return 'no polygons';
  for (const poly of polys) {
    if (!Array.isArray(poly) || poly.length === 0) return 'a polygon has no rings';
    for (const ring of poly) {
      if (!Array.isArray(ring) || ring.length < 4) return 'a ring needs at least 4 positions';
      for (const pos of ring) {
        if (!Array.isArray(pos) || pos.length < 2 || !pos.every((n) => typeof n === 'number' && Number.isFinite(n)))
          return 'a position is not [lon, lat]';
        if (Math.abs(pos[0]) > 180 || Math.abs(pos[1]) > 90) return 'a position is out of range';
      }
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) return 'a ring is not closed';
      // Shoelace: a ring whose positions lie on one point or one line contains nothing (the
      // tolerance, about half a square metre in square degrees, is above the rounding noise).
      let twiceArea = 0;
      for (let i = 1; i < ring.length; i++) twiceArea += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1];
      if (Math.abs(twiceArea) < 1e-10) return 'a ring encloses no area';
    }
  }
  return null;
}
