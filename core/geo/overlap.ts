import { area } from '@turf/area';
import { clipPolygon } from 'lineclip';
import polygonClipping from 'polygon-clipping';
const { intersection } = polygonClipping;
import { boundingBox, polygons, type Boundary, type Position } from './geo.ts';

/**
 * How far apart two neighbours' copies of one border may lie, in metres. Boundaries from different
 * sources (a cadastre, OpenStreetMap, a survey) put the same border a few centimetres to decimetres
 * apart; the thin common area that leaves is not an overlap. A piece of common area is ignored
 * when it is on average narrower than this (twice its area over its perimeter) and no vertex of
 * either border lies deeper than this inside the other municipality; anything else is an overlap,
 * however small (a municipality inside another is always one).
 */
export const OVERLAP_TOLERANCE_M = 1;

const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;

/** A segment in local metres. */
interface Segment {
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

/** Degrees to metres about a latitude: enough for distances of a metre within one region. */
function projection(lat: number): (p: Position) => [number, number] {
  const kx = METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180);
  return ([lon, lat]) => [lon * kx, lat * METRES_PER_DEGREE];
}

function segments(rings: Position[][], toMetres: (p: Position) => [number, number]): Segment[] {
  const out: Segment[] = [];
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) {
      const [ax, ay] = toMetres(ring[i - 1]!);
      const [bx, by] = toMetres(ring[i]!);
      out.push({ ax, ay, bx, by });
    }
  }
  return out;
}

function distance(x: number, y: number, s: Segment): number {
  const dx = s.bx - s.ax;
  const dy = s.by - s.ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - s.ax) * dx + (y - s.ay) * dy) / length2));
  return Math.hypot(x - s.ax - t * dx, y - s.ay - t * dy);
}

/** Whether (x, y) is farther than `limit` from every segment (only those near it are measured). */
function fartherThan(x: number, y: number, edges: Segment[], limit: number): boolean {
  for (const s of edges) {
    if (Math.min(s.ax, s.bx) - limit > x || Math.max(s.ax, s.bx) + limit < x) continue;
    if (Math.min(s.ay, s.by) - limit > y || Math.max(s.ay, s.by) + limit < y) continue;
    if (distance(x, y, s) <= limit) return false;
  }
  return true;
}

/**
 * How far beyond the two boxes' common part both boundaries are kept (degrees: 57 m or more below
 * 85° of latitude, far beyond the tolerance, so the box's own edges never count as a border).
 */
const CLIP_MARGIN = 0.001;

/**
 * The polygons of a boundary cut to a box (lineclip): all of it that can meet the other boundary,
 * so a large municipality is compared with each neighbour by the part near it alone.
 */
function clipped(boundary: Boundary, box: [number, number, number, number]): Position[][][] {
  const out: Position[][][] = [];
  for (const [outer, ...holes] of polygons(boundary)) {
    const ring = (r: Position[]): Position[] => {
      const points = clipPolygon(r, box);
      return points.length < 3 ? [] : [...points, points[0]!];
    };
    const kept = ring(outer ?? []);
    if (kept.length > 0) out.push([kept, ...holes.map(ring).filter((h) => h.length > 0)]);
  }
  return out;
}

/**
 * The area, in square metres, that two boundaries (valid per `boundaryProblem`) have in common
 * beyond `OVERLAP_TOLERANCE_M`: 0 for neighbours touching along a border or at a point, or whose
 * copies of one border differ by less than the tolerance. Both are cut to the box they share
 * (lineclip), then the common area comes from polygon-clipping (polygon intersection in floating point, which may
 * throw on a geometry it cannot resolve) and @turf/area (geodesic area): plain JavaScript, so the
 * same on PostgreSQL and PGlite (no PostGIS).
 */
export function overlapArea(a: Boundary, b: Boundary): number {
  const boxA = boundingBox(a);
  const boxB = boundingBox(b);
  const box: [number, number, number, number] = [
    Math.max(boxA.minLon, boxB.minLon) - CLIP_MARGIN,
    Math.max(boxA.minLat, boxB.minLat) - CLIP_MARGIN,
    Math.min(boxA.maxLon, boxB.maxLon) + CLIP_MARGIN,
    Math.min(boxA.maxLat, boxB.maxLat) + CLIP_MARGIN,
  ];
  if (box[0] >= box[2] || box[1] >= box[3]) return 0;
  const nearA = clipped(a, box);
  const nearB = clipped(b, box);
  if (nearA.length === 0 || nearB.length === 0) return 0;
  const pieces = intersection(nearA, nearB);
  if (pieces.length === 0) return 0;
  const toMetres = projection(pieces[0]![0]![0]![1]);
  let edges: [Segment[], Segment[]] | undefined;
  let total = 0;
  for (const piece of pieces) {
    const squareMetres = area({ type: 'Polygon', coordinates: piece });
    let perimeter = 0;
    for (const s of segments(piece, toMetres)) perimeter += Math.hypot(s.bx - s.ax, s.by - s.ay);
    let overlaps = (2 * squareMetres) / perimeter > OVERLAP_TOLERANCE_M;
    if (!overlaps) {
      // A thin piece: a border digitised twice, unless one of them reaches deep into the other side somewhere.
      // The cut boundaries: the box's edges they gained are far beyond the tolerance from any piece.
      edges ??= [segments(nearA.flat(), toMetres), segments(nearB.flat(), toMetres)];
      const [ofA, ofB] = edges;
      overlaps = piece
        .flat()
        .map(toMetres)
        .some(([x, y]) => fartherThan(x, y, ofA, OVERLAP_TOLERANCE_M) || fartherThan(x, y, ofB, OVERLAP_TOLERANCE_M));
    }
    if (overlaps) total += squareMetres;
  }
  return total;
}

/** Whether two boundaries share area beyond the tolerance (see `overlapArea`). */
export function boundariesOverlap(a: Boundary, b: Boundary): boolean {
  return overlapArea(a, b) > 0;
}
