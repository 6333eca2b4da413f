/**
 * Large boundaries far from the demo region for the overlap check's tests: an outline of `n`
 * vertices, and the same outline digitised again (vertices between its own, 30 cm either side),
 * which overlaps it (the same area twice). Comparing two of 5,000 vertices takes the polygon
 * library a second or more.
 */
const METRE = 1 / 111_195;

function outline(n: number, shift: number, offsetM: (i: number) => number) {
  const ring = Array.from({ length: n }, (_, i): [number, number] => {
    const a = ((i + shift) / n) * 2 * Math.PI;
    const r = 0.1 + offsetM(i) * METRE;
    return [120 + 2 * r * Math.cos(a), 60 + r * Math.sin(a)];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

export function farOutlines(n = 5_000) {
  return { far: outline(n, 0, () => 0), twice: outline(n, 0.5, (i) => (i % 2 ? 0.3 : -0.3)) };
}
