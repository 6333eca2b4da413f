import { sql } from 'kysely';
import type { DatabaseHandle } from '../core/db/connect.ts';
import { connectDatabase } from '../core/db/connect.ts';
import type { Db } from '../core/db/types.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { seedDemo } from '../core/seed/demo.ts';
import { storedCell } from '../core/stats/h3.ts';
import { heatmapCells, heatmapPoints, REGION_SCOPE } from '../core/stats/heatmap.ts';
import { METRICS } from '../core/stats/metrics.ts';
import { computeSlices } from '../core/stats/slices.ts';
import { createTestDatabase } from '../test/database.ts';

/**
 * The heat map's aggregates on a generated region: 34 municipalities and BENCH_MESSAGES (default
 * 1,000,000) messages over two years (2025-2026) with ratings, generated in SQL. Then it times a
 * month (November 2026, Kemerovo time) of the whole region: H3 cells at resolutions 6, 8 and 10,
 * slices by municipality with every metric and by sector and week, and a page of 10,000 points.
 *
 * Needs PostgreSQL: DATABASE_URL names the server; a scratch database is created on it and dropped
 * after. BENCH_REUSE=true uses DATABASE_URL as it is and generates only when it has no messages.
 *
 * Bulk loading with cells: messages draw their points from BENCH_POINTS places whose cells are
 * computed once in JS (SQL cannot compute H3), so the INSERT carries h3_r10; filling a million
 * cells afterwards (fillMessageCells) works but costs minutes of UPDATEs. Ratings are loaded with
 * triggers off (session_replication_role = replica) and message.rating_stars set in the same
 * INSERT, which is what the rating trigger would have done row by row.
 */
const total = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const places = Number(process.env.BENCH_POINTS ?? 20_000);
const runs = Number(process.env.BENCH_RUNS ?? 15);
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to a PostgreSQL server (a scratch database is made on it)');
const now = new Date('2026-12-01T03:00:00Z');

let database: DatabaseHandle;
if (process.env.BENCH_REUSE === 'true') {
  database = await connectDatabase({ url: process.env.DATABASE_URL });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
} else {
  process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
  database = await createTestDatabase();
}
const { db } = database;

/** Places of the region (Kuzbass's bounding box) with their stored cells, as a table to draw from. */
async function loadPlaces(db: Db) {
  await sql`CREATE TEMP TABLE bench_place (n int PRIMARY KEY, lat float8, lon float8, h3_r10 bigint)`.execute(db);
  for (let i = 0; i < places; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, places - i) }, (_, k) => {
      const point = { lat: 53.3 + Math.random() * 3, lon: 85 + Math.random() * 4.5 };
      return sql`(${i + k}, ${point.lat}, ${point.lon}, ${storedCell(point)}::bigint)`;
    });
    await sql`INSERT INTO bench_place VALUES ${sql.join(rows)}`.execute(db);
  }
}

async function generate(db: Db) {
  const t0 = Date.now();
  await sql`INSERT INTO municipality (name_ru, name_en, oktmo, population_over_14)
    SELECT 'Округ ' || g, 'District ' || g, '329' || lpad(g::text, 5, '0'), 50000 FROM generate_series(1, 31) g`.execute(db);
  const resident = await sql<{ id: number }>`INSERT INTO resident (display_name) VALUES ('bench') RETURNING id`.execute(db);
  await loadPlaces(db);
  await sql`
    WITH munis AS (SELECT array_agg(id ORDER BY id) AS ids FROM municipality),
         cats AS (SELECT array_agg(id ORDER BY id) AS ids FROM category),
         base AS (
           SELECT g, random() AS r, random() AS stars_r, timestamptz '2025-01-01 00:00+07' + random() * interval '730 days' AS created,
                  munis.ids[1 + g % array_length(munis.ids, 1)] AS municipality_id,
                  cats.ids[1 + (g * 7) % array_length(cats.ids, 1)] AS category_id,
                  ((g::bigint * 7919) % ${places})::int AS place
           FROM generate_series(1, ${total}) g, munis, cats),
         timed AS (
           SELECT base.*,
             CASE WHEN r < 0.05 THEN 'new' WHEN r < 0.10 THEN 'rejected' WHEN r < 0.25 THEN 'in_work' WHEN r < 0.70 THEN 'solved' ELSE 'explained' END AS status,
             created + random() * interval '2 days' AS accepted,
             CASE WHEN random() < 0.5 THEN random() * interval '20 days' END AS intermediate_after,
             random() * interval '30 days' AS close_after
           FROM base)
    INSERT INTO message (municipality_id, category_id, text, lat, lon, h3_r10, status, published, channel, open_source,
      created_at, accepted_at, first_intermediate_at, closed_at, updated_at, rating_stars)
    SELECT municipality_id, category_id, 'bench message ' || g, p.lat, p.lon, p.h3_r10, status,
      status IN ('in_work', 'solved', 'explained') AND g % 3 <> 0,
      CASE WHEN g % 10 = 0 THEN NULL WHEN g % 2 = 0 THEN 'vk' ELSE 'tg' END, g % 10 = 0,
      created,
      CASE WHEN status IN ('in_work', 'solved', 'explained') THEN accepted END,
      CASE WHEN status IN ('in_work', 'solved', 'explained') THEN accepted + intermediate_after END,
      CASE WHEN status IN ('solved', 'explained') THEN accepted + close_after WHEN status = 'rejected' THEN created + interval '1 day' END,
      created,
      CASE WHEN status IN ('solved', 'explained') AND stars_r < 0.4 THEN 1 + floor(stars_r * 12.5)::int END
    FROM timed JOIN bench_place p ON p.n = timed.place`.execute(db);
  await sql`SET session_replication_role = replica`.execute(db);
  await sql`INSERT INTO rating (message_id, resident_id, stars, created_at)
    SELECT id, ${resident.rows[0]!.id}, rating_stars, closed_at FROM message WHERE rating_stars IS NOT NULL`.execute(db);
  // What the trigger mirrors (off here): when the stars were given.
  await sql`UPDATE message SET rated_at = closed_at WHERE rating_stars IS NOT NULL`.execute(db);
  await sql`SET session_replication_role = DEFAULT`.execute(db);
  await sql`VACUUM ANALYZE message`.execute(db);
  await sql`VACUUM ANALYZE rating`.execute(db);
  console.log(`generated ${total} messages at ${places} places in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function time(label: string, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  console.log(`${label}: min ${ms[0]!.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms`);
  return median;
}

try {
  // A pool of one connection: the session settings of the load stay on it.
  if ((await db.selectFrom('message').select('id').limit(1).execute()).length === 0) await db.connection().execute((c) => generate(c));
  const month = await sql<{ n: number }>`SELECT count(*)::int AS n FROM message WHERE created_at >= '2026-10-31T17:00Z' AND created_at < '2026-11-30T17:00Z'`.execute(db);
  const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM message`.execute(db);
  console.log(`November 2026: ${month.rows[0]!.n} messages of ${all.rows[0]!.n}`);
  const filter = { period: '2026-11' };
  let cells = 0;
  const r6 = await time('cells res 6, region, month', async () => (cells = (await heatmapCells(db, REGION_SCOPE, filter, 6, now)).cells.length));
  console.log(`  (${cells} cells)`);
  await time('cells res 8, region, month', async () => (cells = (await heatmapCells(db, REGION_SCOPE, filter, 8, now)).cells.length));
  console.log(`  (${cells} cells)`);
  await time('cells res 10, region, month', async () => (cells = (await heatmapCells(db, REGION_SCOPE, filter, 10, now)).cells.length));
  console.log(`  (${cells} cells)`);
  const slices = await time('slices by municipality, every metric, region, month', () =>
    computeSlices(db, REGION_SCOPE, { filter, groupBy: ['municipality'], metrics: [...METRICS], language: 'ru' }, now),
  );
  await time('slices by sector and week, every metric, region, month', () => computeSlices(db, REGION_SCOPE, { filter, groupBy: ['sector', 'week'], metrics: [...METRICS], language: 'ru' }, now));
  await time('points, one municipality, month, up to 10,000', () => heatmapPoints(db, { municipalityId: 1, executorId: null }, filter, {}, now));
  console.log(`heatmap: month of the region in ${r6.toFixed(0)} ms (cells, res 6); slices ${slices.toFixed(0)} ms at ${all.rows[0]!.n} messages`);
} finally {
  await database.close();
}
