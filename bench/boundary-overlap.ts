import type { Boundary, Position } from '../core/geo/geo.ts';
import { overlapArea } from '../core/geo/overlap.ts';

/**
 * The boundary overlap check (core/geo/overlap.ts) as an upload meets it at its worst: a municipality
 * of BENCH_VERTICES (default 3,400) vertices ringed by BENCH_NEIGHBOURS (default 34) neighbours, every
 * one of whose boxes meets its own, so each is compared. Each neighbour's inner border is the
 * municipality's digitised again (other vertices, each 5 to 50 cm off, either side) and its outer
 * border has BENCH_OUTER (default 1,000) vertices. Times the whole check (accepted: 0 m²), then the
 * same municipality grown by about 30 m into every neighbour (each refused). No database.
 */
const N = Number(process.env.BENCH_VERTICES ?? 3_400);
const K = Number(process.env.BENCH_NEIGHBOURS ?? 34);
const OUTER = Number(process.env.BENCH_OUTER ?? 1_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const per = N / K;
const centre = { lon: 86.0873, lat: 55.3547 };
const METRE = 1 / 111_195;

/** A point of an ellipse about Kemerovo at `i` of N steps round, `grow` metres further out. */
const at = (i: number, radius: number, grow = 0): Position => {
  const a = (i / N) * 2 * Math.PI;
  const r = radius + grow * METRE;
  return [centre.lon + r * 1.76 * Math.cos(a), centre.lat + r * Math.sin(a)];
};
const jitter = (i: number) => (i % 2 ? 1 : -1) * (0.05 + (0.45 * ((i * 7) % 10)) / 9);
const ring = (grow: number): Position[] => {
  const points = Array.from({ length: N }, (_, i) => at(i, 0.15, grow));
  return [...points, points[0]!];
};
const neighbours: Boundary[] = Array.from({ length: K }, (_, k) => {
  const inner = Array.from({ length: per + 1 }, (_, m) => (m === 0 || m === per ? at(k * per + m, 0.15) : at(k * per + m + 0.5, 0.15, jitter(k * per + m))));
  const outer = Array.from({ length: OUTER + 1 }, (_, m) => at(k * per + per - (m * per) / OUTER, 0.3));
  return { type: 'Polygon', coordinates: [[...inner, ...outer, inner[0]!]] };
});

function check(boundary: Boundary): { ms: number; refused: number; area: number } {
  const started = performance.now();
  let refused = 0;
  let area = 0;
  for (const neighbour of neighbours) {
    const m2 = overlapArea(boundary, neighbour);
    if (m2 > 0) refused++;
    area += m2;
  }
  return { ms: performance.now() - started, refused, area };
}

console.log(`${N} vertices against ${K} neighbours of ${per + OUTER + 1} vertices each, the shared borders 5-50 cm apart`);
for (let run = 1; run <= RUNS; run++) {
  const same = check({ type: 'Polygon', coordinates: [ring(0)] });
  console.log(`  run ${run}: ${same.ms.toFixed(0)} ms (${(same.ms / K).toFixed(0)} ms a neighbour), ${same.refused} refused, ${same.area.toFixed(0)} m² of overlap`);
}
const grown = check({ type: 'Polygon', coordinates: [ring(30)] });
console.log(`grown 30 m into every neighbour: ${grown.ms.toFixed(0)} ms, ${grown.refused} of ${K} refused, ${(grown.area / 1e6).toFixed(2)} km² of overlap`);
