import { sql } from 'kysely';
import { issueKey } from '../core/access/api-keys.service.ts';
import { ALERT_BATCH, overdueScan, runOverdueAlerts } from '../core/alerts/deadlines.ts';
import type { DatabaseHandle } from '../core/db/connect.ts';
import { connectDatabase } from '../core/db/connect.ts';
import type { Db } from '../core/db/types.ts';
import { migrateToLatest } from '../core/db/migrate.ts';
import { computeRegion } from '../core/kpi/engine.ts';
import { INDICATORS } from '../core/kpi/indicators/index.ts';
import { seedDemo } from '../core/seed/demo.ts';
import { createAdminApi } from '../http/api/api.ts';
import { createOverlapChecker } from '../core/geo/overlap-check.ts';
import { createLogger } from '../logger.ts';
import { createTestDatabase } from '../test/database.ts';

/**
 * The KPI engine and the message list on a generated region (issue 15): 34 municipalities (the 3
 * demo ones and 31 more), BENCH_RESIDENTS (300,000) residents, BENCH_MESSAGES (1,000,000) messages
 * over 2025-2026 with their events (filed, accepted, closed), answers, authors' comments with
 * officials' replies, ratings and two months of the activity log, all generated in SQL.
 * Then it measures, and prints as its last line:
 *   kpi: 16 indicators × 34 municipalities in <T> ms; overdue scan <O> ms; list p99 <L> ms; ratings: executors <E> ms, municipalities <R> ms at <M> messages
 * - T: every indicator of every municipality for November 2026 (computeRegion, no snapshots, no
 *   trend), median of BENCH_RUNS runs;
 * - O: the overdue alert job's scan (overdueScan, one batch) once the backlog has been alerted,
 *   median of 20 runs (the first run of the job over the whole backlog is printed before);
 * - L: p99 of 100 pages of GET /api/v1/messages through the admin API (in process), with filters:
 *   none, status, category, municipality, overdue, municipality + status, q, deep cursor pages;
 * - E, R: GET /api/v1/ratings/executors and GET /api/v1/ratings/municipalities for November 2026
 *   (the whole region, in process), median of BENCH_RUNS runs.
 * Its own line, not in the last: GET /api/v1/reports/open-sources for November 2026 (the region).
 *
 * Needs PostgreSQL: DATABASE_URL names the server; a scratch database is created on it and dropped
 * after. BENCH_REUSE=true uses DATABASE_URL as it is and generates only when it has no messages
 * (so a kept database, e.g. one made with CREATE DATABASE for the purpose, is generated once and
 * reused across runs). BENCH_EMBEDDED=true runs on an in-memory PGlite instead (the embedded
 * database; use a smaller BENCH_MESSAGES and BENCH_RESIDENTS: it is single-threaded and in memory).
 */
const total = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const residents = Number(process.env.BENCH_RESIDENTS ?? 300_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const embedded = process.env.BENCH_EMBEDDED === 'true';
if (!process.env.DATABASE_URL && !embedded) throw new Error('set DATABASE_URL to a PostgreSQL server (a scratch database is made on it), or BENCH_EMBEDDED=true');
/** 1 December 2026, 10:00 in Kuzbass: November has just closed. */
const now = new Date('2026-12-01T03:00:00Z');

let database: DatabaseHandle;
if (embedded) {
  database = await connectDatabase({ dataDir: 'memory://' });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
} else if (process.env.BENCH_REUSE === 'true') {
  database = await connectDatabase({ url: process.env.DATABASE_URL });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
} else {
  process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
  database = await createTestDatabase();
}
const { db } = database;

const STREETS = ['Весенняя', 'Ленина', 'Кирова', 'Советская', 'Мичурина', 'Гагарина', 'Строителей', 'Шахтёров', 'Рабочая', 'Садовая'];

/**
 * Bulk loading: the secondary indexes of the big tables are dropped before the load and built
 * again after it (a CREATE INDEX over a million rows is far cheaper than a million GIN and B-tree
 * insertions); their definitions are read from pg_indexes, so they are exactly the migrations' own.
 */
async function withoutIndexes(db: Db, tables: string[], load: () => Promise<void>): Promise<void> {
  const { rows } = await sql<{ indexname: string; indexdef: string }>`
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = 'public' AND i.tablename = ANY(${tables}::text[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`.execute(db);
  for (const r of rows) await sql.raw(`DROP INDEX ${r.indexname}`).execute(db);
  await load();
  await sql`SET maintenance_work_mem = '256MB'`.execute(db);
  for (const r of rows) await sql.raw(r.indexdef).execute(db);
}

async function generate(db: Db) {
  const t0 = Date.now();
  const step = (label: string) => console.log(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await withoutIndexes(db, ['message', 'message_event', 'answer', 'comment', 'resident', 'resident_activity'], () => load(db, step));
  step('indexes built');
  for (const table of ['message', 'message_event', 'answer', 'comment', 'rating', 'resident', 'resident_activity']) await sql.raw(`VACUUM ANALYZE ${table}`).execute(db);
  step('vacuum analyze');
  console.log(`generated ${total} messages, ${residents} residents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function load(db: Db, step: (label: string) => void) {
  await sql`INSERT INTO municipality (name_ru, name_en, oktmo, population_over_14)
    SELECT 'Округ ' || g, 'District ' || g, '329' || lpad(g::text, 5, '0'), 40000 + g * 1000 FROM generate_series(1, 31) g`.execute(db);
  await sql`INSERT INTO executor (municipality_id, name, kind)
    SELECT m.id, 'Исполнитель ' || m.id || '-' || k, 'organisation' FROM municipality m, generate_series(1, 5) k`.execute(db);
  await sql`
    WITH munis AS (SELECT array_agg(id ORDER BY id) AS ids FROM municipality)
    INSERT INTO resident (display_name, municipality_id, registered_at, created_at)
    SELECT 'Житель ' || g, munis.ids[1 + g % array_length(munis.ids, 1)], timestamptz '2024-06-01 00:00+07' + random() * interval '912 days', now()
    FROM generate_series(1, ${residents}) g, munis`.execute(db);
  step('residents');
  await sql`
    WITH munis AS (SELECT array_agg(id ORDER BY id) AS ids FROM municipality),
         cats AS (SELECT array_agg(id ORDER BY id) AS ids FROM category),
         res AS (SELECT min(id) AS lo, max(id) AS hi FROM resident),
         base AS (
           SELECT g, random() AS r, random() AS stars_r, timestamptz '2025-01-01 00:00+07' + random() * interval '730 days' AS created,
                  munis.ids[1 + g % array_length(munis.ids, 1)] AS municipality_id,
                  cats.ids[1 + (g * 7) % array_length(cats.ids, 1)] AS category_id,
                  (res.lo + (g::bigint * 7919) % (res.hi - res.lo + 1))::int AS author_id
           FROM generate_series(1, ${total}) g, munis, cats, res),
         timed AS (
           SELECT base.*,
             CASE WHEN r < 0.05 THEN 'new' WHEN r < 0.10 THEN 'rejected' WHEN r < 0.25 THEN 'in_work' WHEN r < 0.70 THEN 'solved' ELSE 'explained' END AS status,
             created + random() * interval '2 days' AS accepted,
             CASE WHEN random() < 0.5 THEN random() * interval '20 days' END AS intermediate_after,
             random() * interval '30 days' AS close_after
           FROM base)
    INSERT INTO message (author_id, municipality_id, category_id, text, address, lat, lon, status, published, executor_id, channel, open_source, urgent,
      created_at, accepted_at, first_intermediate_at, closed_at, updated_at, rating_stars)
    SELECT author_id, timed.municipality_id, category_id,
      (ARRAY['Яма на дороге', 'Не горят фонари', 'Нет отопления', 'Мусор не вывозят', 'Сломана лавочка', 'Течёт крыша'])[1 + g % 6] || ' у дома ' || (g % 97),
      'ул. ' || (${sql.val(STREETS)}::text[])[1 + (g / 7) % 10] || ', ' || (g % 150),
      53.3 + (g % 1000) * 0.003, 85 + (g % 997) * 0.0045, status,
      status IN ('in_work', 'solved', 'explained') AND g % 4 <> 0,
      CASE WHEN status IN ('in_work', 'solved', 'explained') THEN ex.first_id + g % 5 END,
      CASE WHEN g % 10 = 0 THEN NULL WHEN g % 2 = 0 THEN 'vk' ELSE 'tg' END, g % 10 = 0, g % 50 = 0,
      created,
      CASE WHEN status IN ('in_work', 'solved', 'explained') THEN accepted END,
      CASE WHEN status IN ('in_work', 'solved', 'explained') THEN accepted + intermediate_after END,
      CASE WHEN status IN ('solved', 'explained') THEN accepted + close_after WHEN status = 'rejected' THEN created + interval '1 day' END,
      created,
      CASE WHEN status IN ('solved', 'explained') AND stars_r < 0.4 THEN 1 + floor(stars_r * 12.5)::int END
    FROM timed JOIN (SELECT municipality_id, min(id) AS first_id FROM executor GROUP BY municipality_id) ex ON ex.municipality_id = timed.municipality_id`.execute(db);
  step('messages');
  await sql`INSERT INTO message_event (message_id, kind, actor_kind, to_status, created_at) SELECT id, 'filed', 'resident', 'new', created_at FROM message`.execute(db);
  await sql`INSERT INTO message_event (message_id, kind, actor_kind, from_status, to_status, created_at) SELECT id, 'accepted', 'staff', 'new', 'in_work', accepted_at FROM message WHERE accepted_at IS NOT NULL`.execute(
    db,
  );
  await sql`INSERT INTO message_event (message_id, kind, actor_kind, from_status, to_status, created_at) SELECT id, 'closed', 'staff', 'in_work', status, closed_at FROM message WHERE status IN ('solved', 'explained')`.execute(
    db,
  );
  await sql`INSERT INTO message_event (message_id, kind, actor_kind, from_status, to_status, created_at) SELECT id, 'rejected', 'staff', 'new', 'rejected', closed_at FROM message WHERE status = 'rejected'`.execute(
    db,
  );
  step('events');
  await sql`INSERT INTO answer (message_id, kind, resolution, text, state, created_at, updated_at, delivered_at)
    SELECT id, 'final', status, 'Ответ', 'delivered', closed_at, closed_at, closed_at FROM message WHERE status IN ('solved', 'explained')`.execute(db);
  await sql`INSERT INTO answer (message_id, kind, text, state, created_at, updated_at, delivered_at)
    SELECT id, 'intermediate', 'В работе', 'delivered', first_intermediate_at, first_intermediate_at, first_intermediate_at FROM message WHERE first_intermediate_at IS NOT NULL`.execute(db);
  step('answers');
  await sql`INSERT INTO comment (message_id, author_kind, resident_id, text, created_at)
    SELECT id, 'resident', author_id, 'Уточнение', accepted_at + interval '1 day' FROM message WHERE accepted_at IS NOT NULL AND id % 3 = 0`.execute(db);
  await sql`INSERT INTO staff (full_name, role, municipality_id) SELECT 'Модератор ' || id, 'moderator', id FROM municipality WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.municipality_id = municipality.id AND s.role = 'moderator')`.execute(
    db,
  );
  await sql`INSERT INTO comment (message_id, author_kind, staff_id, text, reply_to_id, created_at)
    SELECT c.message_id, 'staff', (SELECT min(s.id) FROM staff s JOIN message m ON m.id = c.message_id WHERE s.municipality_id = m.municipality_id AND s.role = 'moderator'), 'Ответ', c.id, c.created_at + interval '5 hours'
    FROM comment c WHERE c.id % 4 <> 0`.execute(db);
  step('comments');
  await sql`SET session_replication_role = replica`.execute(db);
  await sql`INSERT INTO rating (message_id, resident_id, stars, created_at) SELECT id, author_id, rating_stars, closed_at FROM message WHERE rating_stars IS NOT NULL`.execute(db);
  // What the trigger mirrors (off here): when the stars were given.
  await sql`UPDATE message SET rated_at = closed_at WHERE rating_stars IS NOT NULL`.execute(db);
  await sql`SET session_replication_role = DEFAULT`.execute(db);
  await sql`INSERT INTO resident_activity (resident_id, day, channel, municipality_id, first_at)
    SELECT r.id, d::date, 'tg', r.municipality_id, d + interval '12 hours'
    FROM resident r, generate_series(date '2026-10-01', date '2026-11-30', interval '1 day') d
    WHERE (r.id + extract(day FROM d)::int) % 40 = 0`.execute(db);
  step('ratings and activity');
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;

try {
  if ((await db.selectFrom('message').select('id').limit(1).execute()).length === 0) await db.connection().execute((c) => generate(c));
  const counts = await sql<{ messages: number; events: number; municipalities: number; overdue: number }>`
    SELECT (SELECT count(*)::int FROM message) AS messages, (SELECT count(*)::int FROM message_event) AS events, (SELECT count(*)::int FROM municipality) AS municipalities,
           (SELECT count(*)::int FROM message WHERE status = 'in_work' AND accepted_at < ${new Date(now.getTime() - 14 * 86_400_000)} AND (first_intermediate_at IS NULL OR first_intermediate_at > accepted_at + interval '14 days')) AS overdue`.execute(
    db,
  );
  const { messages, events, municipalities, overdue } = counts.rows[0]!;
  console.log(`${messages} messages, ${events} events, ${municipalities} municipalities, ${overdue} open overdue messages`);

  // T: every indicator of every municipality for one month.
  const region: number[] = [];
  let available = 0;
  for (let i = 0; i < runs; i++) {
    const [ms, rows] = await timed(() => computeRegion(db, '2026-11', now, { trend: false, useSnapshots: false }));
    region.push(ms);
    available = rows[0]!.indicators.filter((r) => r.available).length;
  }
  const T = median(region);
  console.log(
    `indicators, region, November 2026: median ${T.toFixed(0)} ms of ${runs} (min ${Math.min(...region).toFixed(0)}, max ${Math.max(...region).toFixed(0)}); ${available} of ${INDICATORS.length} with their module installed`,
  );
  const [withTrend] = await timed(() => computeRegion(db, '2026-11', now, { useSnapshots: false }));
  console.log(`  with the trend against October (computed, no snapshot): ${withTrend.toFixed(0)} ms`);

  // O: the overdue job's scan while the backlog is pending, the first run over it, then steady state.
  const pending: number[] = [];
  for (let i = 0; i < 5; i++) pending.push((await timed(() => overdueScan(db, now).limit(ALERT_BATCH).execute()))[0]);
  console.log(`overdue scan with alerts pending (a batch of ${ALERT_BATCH}): median ${median(pending).toFixed(1)} ms`);
  const [firstRun, result] = await timed(() => runOverdueAlerts(db, now));
  console.log(`overdue job, first run over the backlog: ${(firstRun / 1000).toFixed(1)} s, ${result.messages} messages, ${result.alerts} alerts in batches of ${ALERT_BATCH}`);
  const scans: number[] = [];
  for (let i = 0; i < 20; i++)
    scans.push(
      (
        await timed(() =>
          overdueScan(db, new Date(now.getTime() + i * 900_000))
            .limit(ALERT_BATCH)
            .execute(),
        )
      )[0],
    );
  const O = median(scans);
  const [secondRun] = await timed(() => runOverdueAlerts(db, new Date(now.getTime() + 900_000)));
  console.log(`overdue scan once alerted: median ${O.toFixed(1)} ms; the job's next run ${secondRun.toFixed(1)} ms`);

  // L: 100 admin-API list pages with filters.
  const operator = await db.selectFrom('staff').select('id').where('role', '=', 'operator').executeTakeFirst();
  const operatorId =
    operator?.id ?? (await db.insertInto('staff').values({ full_name: 'Оператор', role: 'operator', municipality_id: null, executor_id: null }).returning('id').executeTakeFirstOrThrow()).id;
  const { token } = await issueKey(db, { staffId: operatorId, label: 'bench', createdBy: null }, now);
  const api = createAdminApi({ db, clock: () => now, logger: createLogger('silent'), photos: {}, overlapChecker: createOverlapChecker({ timeoutMs: 20_000 }) });
  const category = (await db.selectFrom('category').select('id').orderBy('id').limit(1).offset(3).executeTakeFirstOrThrow()).id;
  const kemerovo = (await db.selectFrom('municipality').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  const filters = [
    '',
    'status=in_work',
    `categoryId=${category}`,
    `municipalityId=${kemerovo}`,
    'overdue=true',
    `municipalityId=${kemerovo}&status=solved`,
    `q=${encodeURIComponent('Весенн')}`,
    `q=${encodeURIComponent('Весенняя, 12')}`,
    'sort=-updated_at',
    'status=solved&sort=created_at',
  ];
  /** 100 pages over the filters; prints each variant's times and returns the p99. */
  const listPages = async (label: string): Promise<number> => {
    const pages: number[] = [];
    /** Each page's time by its filter (a cursor page under its filter with " (cursor)"), to show which variant is slow. */
    const byFilter = new Map<string, number[]>();
    const get = async (query: string, variant: string) => {
      const [ms, res] = await timed(async () => api.request(`/messages?limit=50&${query}`, { headers: { authorization: `Bearer ${token}` } }));
      if (res.status !== 200) throw new Error(`GET /messages?${query}: ${res.status} ${await res.text()}`);
      pages.push(ms);
      byFilter.set(variant, [...(byFilter.get(variant) ?? []), ms]);
      return (await res.json()) as { nextCursor: string | null };
    };
    for (const f of filters) await get(f, f); // warm-up, not counted
    pages.length = 0;
    byFilter.clear();
    for (let i = 0; pages.length < 100; i++) {
      const f = filters[i % filters.length]!;
      let page = await get(f, f);
      // Every third round follows the cursor a few pages deep.
      for (let d = 0; i % 3 === 0 && d < 3 && page.nextCursor && pages.length < 100; d++) page = await get(`${f}${f ? '&' : ''}cursor=${page.nextCursor}`, `${f} (cursor)`);
    }
    const sorted = [...pages].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
    console.log(`message list, ${label}:`);
    for (const [variant, ms] of byFilter) console.log(`  ${decodeURIComponent(variant) || 'no filter'}: ${ms.length} pages, max ${Math.max(...ms).toFixed(1)} ms, median ${median(ms).toFixed(1)} ms`);
    console.log(`message list, ${label}: ${pages.length} pages, median ${median(pages).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    return p99;
  };
  // The list's ids come from index-only scans where it can (overdue, the address side of q): right
  // after the overdue job has updated thousands of scattered rows, their pages are not all-visible
  // and those scans read the rows after all, until a vacuum refreshes the visibility map. The
  // migration 2026-12-02T1900 lets autovacuum do that after 1 % of the table changes (not the
  // default 20 %); with autovacuum off on a test server, the bench runs that vacuum itself and
  // reports the list both before it and after it; the last line takes the worse.
  const beforeVacuum = await listPages('right after the overdue job, before a vacuum');
  const [vacuumMs] = await timed(() => sql`VACUUM message`.execute(db));
  console.log(`VACUUM message (autovacuum's work after the overdue job): ${(vacuumMs / 1000).toFixed(1)} s`);
  const L = await listPages('after the vacuum');
  console.log(`list p99 before the vacuum ${beforeVacuum.toFixed(1)} ms, after it ${L.toFixed(1)} ms`);
  // The last line reports the worse of the two: until autovacuum has run, officials see the first.
  const worst = Math.max(beforeVacuum, L);

  // E, R: the executors' and the municipalities' rankings for the month, through the admin API.
  const rating = async (path: string): Promise<number> => {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < runs; i++) {
      const [ms, res] = await timed(async () => api.request(`/ratings/${path}?period=2026-11`, { headers: { authorization: `Bearer ${token}` } }));
      if (res.status !== 200) throw new Error(`GET /ratings/${path}: ${res.status} ${await res.text()}`);
      times.push(ms);
      items = ((await res.json()) as { items: unknown[] }).items.length;
    }
    console.log(`ratings, ${path}, November 2026: median ${median(times).toFixed(0)} ms of ${runs} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); ${items} ranked`);
    return median(times);
  };
  const E = await rating('executors');
  const R = await rating('municipalities');
  // The region's open-source summary (seed 004 §25, GET /reports/open-sources) for the month, through the admin API.
  const summary: number[] = [];
  let summarised = '';
  for (let i = 0; i < runs; i++) {
    const [ms, res] = await timed(async () => api.request('/reports/open-sources?period=2026-11', { headers: { authorization: `Bearer ${token}` } }));
    if (res.status !== 200) throw new Error(`GET /reports/open-sources: ${res.status} ${await res.text()}`);
    summary.push(ms);
    const body = (await res.json()) as { items: unknown[]; total: { messages: number; quality: { drafts: number } } };
    summarised = `${body.items.length} municipalities, ${body.total.messages} open-source messages, ${body.total.quality.drafts} drafts`;
  }
  console.log(
    `open-source summary, region, November 2026: median ${median(summary).toFixed(0)} ms of ${runs} (min ${Math.min(...summary).toFixed(0)}, max ${Math.max(...summary).toFixed(0)}); ${summarised}`,
  );
  console.log(
    `kpi: 16 indicators × ${municipalities} municipalities in ${T.toFixed(0)} ms; overdue scan ${O.toFixed(1)} ms; list p99 ${worst.toFixed(1)} ms; ratings: executors ${E.toFixed(0)} ms, municipalities ${R.toFixed(0)} ms at ${messages} messages`,
  );
} finally {
  await database.close();
}
