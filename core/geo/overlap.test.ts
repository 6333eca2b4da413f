import { describe, expect, it } from 'vitest';
import type { Boundary, Position } from './geo.ts';
import { boundariesOverlap } from './overlap.ts';

const rect = (x0: number, y0: number, x1: number, y1: number, clockwise = false): Boundary => {
  const ring: Position[] = [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
  return { type: 'Polygon', coordinates: [clockwise ? ring.reverse() : ring] };
};
const withHole = (outer: Boundary, hole: Boundary): Boundary => ({ type: 'Polygon', coordinates: [...(outer.coordinates as Position[][]), (hole.coordinates as Position[][])[0]!] });
const both = (a: Boundary, b: Boundary) => [boundariesOverlap(a, b), boundariesOverlap(b, a)];

describe('boundaries that overlap', () => {
  it('finds edges that cross, in either order and either winding', () => {
    expect(both(rect(86, 54, 87, 55), rect(86.5, 54.5, 87.5, 55.5))).toEqual([true, true]);
    expect(both(rect(86, 54, 87, 55, true), rect(86.5, 54.5, 87.5, 55.5))).toEqual([true, true]);
    // A cross: no vertex of either inside the other.
    expect(both(rect(86, 54.4, 87, 54.6), rect(86.4, 54, 86.6, 55))).toEqual([true, true]);
  });

  it('finds one inside the other, the same polygon twice, and overlaps whose vertices all lie on the other border', () => {
    expect(both(rect(86, 54, 87, 55), rect(86.2, 54.2, 86.4, 54.4))).toEqual([true, true]);
    expect(both(rect(86, 54, 87, 55), rect(86, 54, 87, 55, true))).toEqual([true, true]);
    // Sharing the bottom and top lines, overlapping by half: edges meet only at vertices.
    expect(both(rect(0, 0, 2, 2), rect(1, 0, 3, 2))).toEqual([true, true]);
    // Three corners of a square: the triangle is inside it.
    const triangle: Boundary = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 2],
          [0, 0],
        ],
      ],
    };
    expect(both(rect(0, 0, 2, 2), triangle)).toEqual([true, true]);
  });

  it("lets neighbours share a border or a corner, and one lie in the other's hole", () => {
    expect(both(rect(86, 54, 87, 55), rect(87, 54, 88, 55))).toEqual([false, false]);
    // A shared border whose vertices differ (a T-junction): still only touching.
    expect(both(rect(86, 54, 87, 55), rect(87, 54.5, 88, 56))).toEqual([false, false]);
    expect(both(rect(86, 54, 87, 55), rect(87, 55, 88, 56))).toEqual([false, false]);
    expect(both(rect(86, 54, 87, 55), rect(88, 54, 89, 55))).toEqual([false, false]);
    const ring = withHole(rect(86, 54, 87, 55), rect(86.4, 54.4, 86.6, 54.6, true));
    expect(both(ring, rect(86.4, 54.4, 86.6, 54.6))).toEqual([false, false]);
    expect(both(ring, rect(86.45, 54.45, 86.55, 54.55))).toEqual([false, false]);
    expect(both(ring, rect(86.3, 54.45, 86.55, 54.55))).toEqual([true, true]);
  });

  it('reads every part of a MultiPolygon', () => {
    const multi: Boundary = { type: 'MultiPolygon', coordinates: [rect(80, 50, 81, 51).coordinates as Position[][], rect(86, 54, 87, 55).coordinates as Position[][]] };
    expect(both(multi, rect(86.9, 54.9, 88, 56))).toEqual([true, true]);
    expect(both(multi, rect(82, 52, 83, 53))).toEqual([false, false]);
  });

  it('compares two detailed neighbours sharing a long border quickly', () => {
    // Two halves of a 20,000-point circle, cut along a diameter: they share the diameter only.
    const n = 20_000;
    const arc = (from: number): Position[] =>
      Array.from({ length: n / 2 + 1 }, (_, i) => {
        const a = from + (i / n) * 2 * Math.PI;
        return [86.3 + 0.05 * Math.cos(a), 54.4 + 0.05 * Math.sin(a)] as Position;
      });
    const north = arc(0);
    const south = arc(Math.PI);
    const upper: Boundary = { type: 'Polygon', coordinates: [[...north, north[0]!]] };
    const lower: Boundary = { type: 'Polygon', coordinates: [[...south, south[0]!]] };
    const started = performance.now();
    expect(both(upper, lower)).toEqual([false, false]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(boundariesOverlap(upper, rect(86.29, 54.39, 86.31, 54.41))).toBe(true);
  });
});
