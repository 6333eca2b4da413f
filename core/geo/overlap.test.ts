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

  it('compares a concave boundary by the part near its neighbour: a neighbour in its notch only touches it', () => {
    // A U whose notch is 86.1..86.2 wide; cut to the neighbour's box, it leaves and re-enters that box.
    const u: Boundary = {
      type: 'Polygon',
      coordinates: [
        [
          [86, 54],
          [86.3, 54],
          [86.3, 54.3],
          [86.2, 54.3],
          [86.2, 54.1],
          [86.1, 54.1],
          [86.1, 54.3],
          [86, 54.3],
          [86, 54],
        ],
      ],
    };
    expect(both(u, rect(86.1, 54.1, 86.2, 54.2))).toEqual([false, false]);
    expect(both(u, rect(86.1, 54.1, 86.2, 54.5))).toEqual([false, false]);
    expect(both(u, rect(86.1, 54.1, 86.21, 54.2))).toEqual([true, true]);
    expect(both(u, rect(86.05, 54.25, 86.25, 54.4))).toEqual([true, true]);
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

describe('boundaries of neighbours from different sources', () => {
  // Near Kemerovo (55.35° N) one metre is about 9.0e-6° of latitude and 1.58e-5° of longitude.
  const M_LAT = 1 / 111_195;
  const M_LON = M_LAT / Math.cos((55.35 * Math.PI) / 180);
  /** A winding north-south border about 10 km long, 400 vertices; `shift` moves it east in metres at each vertex. */
  const border = (start: number, shift: (i: number) => number): Position[] =>
    Array.from({ length: 400 }, (_, k) => {
      const i = start + (k * (399 - start)) / 399;
      return [86.1 + 0.002 * Math.sin(i / 20) + shift(i) * M_LON, 55.3 + i * 0.000225] as Position;
    });
  /** West of the border (its vertices south to north, then round by the west). */
  const west = (line: Position[]): Boundary => ({ type: 'Polygon', coordinates: [[...line, [86.0, 55.39], [86.0, 55.3], line[0]!]] });
  /** East of the border. */
  const east = (line: Position[]): Boundary => {
    const ring = [...line].reverse();
    return { type: 'Polygon', coordinates: [[...ring, [86.2, 55.3], [86.2, 55.39], ring[0]!]] };
  };
  /** 5 to 50 cm, changing side from vertex to vertex (a fixed sequence, not random). */
  const jitter = (i: number) => (i % 2 === 0 ? 1 : -1) * (0.05 + 0.45 * ((Math.round(i * 7) % 10) / 9));
  const westLine = border(0, () => 0);
  const western = west(westLine);

  it('accepts a shared border digitised again with other vertices 5 to 50 cm off, either side', () => {
    // Other vertices along the same line (the corners stay where they are), each a few centimetres off.
    const line = border(0.5, jitter);
    line[0] = westLine[0]!;
    line[line.length - 1] = westLine[399]!;
    expect(both(western, east(line))).toEqual([false, false]);
  });

  it('accepts a border 50 cm inside the neighbour along its whole 10 km (a sliver of about 5,000 m²)', () => {
    expect(both(western, east(border(0, () => -0.5)))).toEqual([false, false]);
    expect(both(western, east(border(0, () => -0.05)))).toEqual([false, false]);
  });

  it('refuses a real overlap: a 100 m strip, a border 2 m inside, a 30 m bump on a sliver', () => {
    expect(both(western, east(border(0, () => -100)))).toEqual([true, true]);
    expect(both(western, east(border(0, () => -2)))).toEqual([true, true]);
    // 10 cm inside everywhere, but 30 m inside over five vertices (about 120 m of border).
    expect(both(western, east(border(0, (i) => (i >= 200 && i < 205 ? -30 : -0.1))))).toEqual([true, true]);
    // However small, a municipality inside another overlaps it: a square of 80 cm.
    expect(both(western, rect(86.05, 55.35, 86.05 + 0.8 * M_LON, 55.35 + 0.8 * M_LAT))).toEqual([true, true]);
  });
});
