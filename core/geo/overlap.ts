import { polygons, type Boundary, type Position } from './geo.ts';

/** Closer than this (degrees, about 0.1 mm) a point is on a line: shared borders meet within it. */
const EPS = 1e-9;
/** How far beside an edge a probe point is placed (degrees, about 1 cm). */
const NUDGE = 1e-7;

interface Edge {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  len: number;
  /** Whether the polygon's interior lies left of the edge (from a to b). */
  interiorLeft: boolean;
}

/** Twice the signed area of a ring: positive when it runs counter-clockwise. */
function twiceArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) sum += ring[i - 1]![0] * ring[i]![1] - ring[i]![0] * ring[i - 1]![1];
  return sum;
}

function edgesOf(polygon: Position[][]): Edge[] {
  const edges: Edge[] = [];
  polygon.forEach((ring, r) => {
    // The interior is left of a counter-clockwise outer ring's edges and right of a counter-clockwise hole's.
    const ccw = twiceArea(ring) > 0;
    const interiorLeft = r === 0 ? ccw : !ccw;
    for (let i = 1; i < ring.length; i++) {
      const [ax, ay] = ring[i - 1]!;
      const [bx, by] = ring[i]!;
      const len = Math.hypot(bx - ax, by - ay);
      if (len > 0) edges.push({ ax, ay, bx, by, len, interiorLeft });
    }
  });
  return edges;
}

/** Signed distance of (x, y) from the line of `e`: positive on its left. */
function offset(e: Edge, x: number, y: number): number {
  return ((e.bx - e.ax) * (y - e.ay) - (e.by - e.ay) * (x - e.ax)) / e.len;
}

/** The two edges cross at one point inside both (not at an end, not along a shared line). */
function cross(e: Edge, f: Edge): boolean {
  const d1 = offset(e, f.ax, f.ay);
  const d2 = offset(e, f.bx, f.by);
  if (!((d1 > EPS && d2 < -EPS) || (d1 < -EPS && d2 > EPS))) return false;
  const d3 = offset(f, e.ax, e.ay);
  const d4 = offset(f, e.bx, e.by);
  return (d3 > EPS && d4 < -EPS) || (d3 < -EPS && d4 > EPS);
}

/** A polygon's edges in horizontal bands, so a ray or an edge meets only the edges near it. */
class Bands {
  private readonly bands: Edge[][];
  private readonly minY: number;
  private readonly height: number;

  constructor(edges: Edge[]) {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const e of edges) {
      minY = Math.min(minY, e.ay, e.by);
      maxY = Math.max(maxY, e.ay, e.by);
    }
    this.minY = minY;
    const count = Math.max(1, Math.ceil(edges.length / 8));
    this.height = (maxY - minY) / count || 1;
    this.bands = Array.from({ length: count }, () => []);
    for (const e of edges) {
      const [from, to] = this.range(Math.min(e.ay, e.by), Math.max(e.ay, e.by));
      for (let b = from; b <= to; b++) this.bands[b]!.push(e);
    }
  }

  private range(lo: number, hi: number): [number, number] {
    const last = this.bands.length - 1;
    const at = (y: number) => Math.min(last, Math.max(0, Math.floor((y - this.minY) / this.height)));
    return [at(lo), at(hi)];
  }

  /** Edges whose band meets [lo, hi] (an edge may come more than once). */
  *near(lo: number, hi: number): Iterable<Edge> {
    const [from, to] = this.range(lo - EPS, hi + EPS);
    for (let b = from; b <= to; b++) yield* this.bands[b]!;
  }

  /** Even-odd ray casting over every ring: inside the outer ring and outside the holes. */
  contains(x: number, y: number): boolean {
    if (y < this.minY || y > this.minY + this.height * this.bands.length) return false;
    let inside = false;
    for (const e of this.bands[this.range(y, y)[0]]!) {
      if (e.ay > y !== e.by > y && x < ((e.bx - e.ax) * (y - e.ay)) / (e.by - e.ay) + e.ax) inside = !inside;
    }
    return inside;
  }
}

/**
 * Whether some edge of `edges` runs through the interior of the other polygon: it crosses one of
 * its edges, or a piece of it between the other's vertices has the other's interior on the side of
 * its own polygon's interior (one polygon inside the other, a border shared the wrong way round).
 */
function runsInto(edges: Edge[], other: Bands): boolean {
  for (const e of edges) {
    const splits = [0, 1];
    for (const f of other.near(Math.min(e.ay, e.by), Math.max(e.ay, e.by))) {
      if (Math.max(f.ax, f.bx) < Math.min(e.ax, e.bx) - EPS || Math.min(f.ax, f.bx) > Math.max(e.ax, e.bx) + EPS) continue;
      if (cross(e, f)) return true;
      for (const [x, y] of [
        [f.ax, f.ay],
        [f.bx, f.by],
      ] as const) {
        if (Math.abs(offset(e, x, y)) > EPS) continue;
        const t = ((x - e.ax) * (e.bx - e.ax) + (y - e.ay) * (e.by - e.ay)) / (e.len * e.len);
        if (t > 0 && t < 1) splits.push(t);
      }
    }
    splits.sort((a, b) => a - b);
    const side = e.interiorLeft ? 1 : -1;
    for (let i = 1; i < splits.length; i++) {
      const length = (splits[i]! - splits[i - 1]!) * e.len;
      if (length < 4 * EPS) continue;
      const t = (splits[i]! + splits[i - 1]!) / 2;
      const nudge = (side * Math.min(NUDGE, length / 4)) / e.len;
      const x = e.ax + t * (e.bx - e.ax) - nudge * (e.by - e.ay);
      const y = e.ay + t * (e.by - e.ay) + nudge * (e.bx - e.ax);
      if (other.contains(x, y)) return true;
    }
  }
  return false;
}

function outerBox(polygon: Position[][]) {
  const box = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  for (const [x, y] of polygon[0] ?? []) {
    box.minX = Math.min(box.minX, x);
    box.maxX = Math.max(box.maxX, x);
    box.minY = Math.min(box.minY, y);
    box.maxY = Math.max(box.maxY, y);
  }
  return box;
}

function polygonsOverlap(p: Position[][], q: Position[][]): boolean {
  const a = outerBox(p);
  const b = outerBox(q);
  if (a.maxX <= b.minX + EPS || b.maxX <= a.minX + EPS || a.maxY <= b.minY + EPS || b.maxY <= a.minY + EPS) return false;
  const ep = edgesOf(p);
  const eq = edgesOf(q);
  return runsInto(ep, new Bands(eq)) || runsInto(eq, new Bands(ep));
}

/**
 * Whether two boundaries (valid per `boundaryProblem`) share any area. Neighbours touching along a
 * border or at a point do not: a shared border is the usual case. Exact for the polygons as given,
 * within about 0.1 mm; pure arithmetic, so the same on PostgreSQL and PGlite (no PostGIS).
 */
export function boundariesOverlap(a: Boundary, b: Boundary): boolean {
  for (const p of polygons(a)) for (const q of polygons(b)) if (polygonsOverlap(p, q)) return true;
  return false;
}
