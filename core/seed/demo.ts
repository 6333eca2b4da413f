import type { Db } from '../db/types.ts';
import type { Boundary } from '../geo/geo.ts';
import { createOverlapChecker } from '../geo/overlap-check.ts';
import { setBoundary } from '../municipalities/municipality.repository.ts';
import { SECTORS } from './directory.ts';

/** A polygon approximating a city: a ring of points around its centre (demo only, not cadastral). */
function approxCity(lat: number, lon: number, radiusLat: number, radiusLon: number): Boundary {
  const ring: [number, number][] = [];
  for (let i = 0; i < 12; i++) {
    const a = (i / 12) * 2 * Math.PI;
    ring.push([Number((lon + radiusLon * Math.cos(a)).toFixed(5)), Number((lat + radiusLat * Math.sin(a)).toFixed(5))]);
  }
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

/**
 * `en` is the municipality's key (DemoRegion, tests) and English name; `city` names its demo staff and
 * companies, which the console shows as they are (a Russian operator read «Куратор (Kemerovo)»).
 */
export const DEMO_MUNICIPALITIES = [
  { oktmo: '32701000', ru: 'Кемеровский городской округ', en: 'Kemerovo', city: 'Кемерово', population: 470_000, center: { lat: 55.3547, lon: 86.0873 }, r: [0.1, 0.2] },
  { oktmo: '32731000', ru: 'Новокузнецкий городской округ', en: 'Novokuznetsk', city: 'Новокузнецк', population: 455_000, center: { lat: 53.7574, lon: 87.1360 }, r: [0.13, 0.2] },
  { oktmo: '32707000', ru: 'Беловский городской округ', en: 'Belovo', city: 'Белово', population: 60_000, center: { lat: 54.4165, lon: 86.2970 }, r: [0.05, 0.1] },
] as const;

/** Sectors and categories (idempotent by code). */
export async function seedDirectory(db: Db): Promise<void> {
  for (const [position, s] of SECTORS.entries()) {
    const sector = await db
      .insertInto('sector')
      .values({ code: s.code, title_ru: s.ru, title_en: s.en, position })
      .onConflict((oc) => oc.column('code').doUpdateSet({ title_ru: s.ru, title_en: s.en, position }))
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [i, [code, ru, en]] of s.categories.entries()) {
      await db
        .insertInto('category')
        .values({ sector_id: sector.id, code, title_ru: ru, title_en: en, position: i })
        .onConflict((oc) => oc.column('code').doUpdateSet({ title_ru: ru, title_en: en, position: i }))
        .execute();
    }
  }
}

export interface DemoRegion {
  municipalities: Record<'Kemerovo' | 'Novokuznetsk' | 'Belovo', number>;
}

/**
 * The demo region: three municipalities with approximate boundaries, the category directory,
 * two executors per municipality with routing rules for every category, and a curator, a
 * moderator and an executor official each. Safe to run twice (does nothing the second time).
 */
export async function seedDemo(db: Db): Promise<DemoRegion> {
  await seedDirectory(db);
  const municipalities = {} as DemoRegion['municipalities'];
  // The demo's boundaries lie apart; their checks all end before the seed returns.
  const checker = createOverlapChecker({ timeoutMs: 60_000 });
  const categories = await db.selectFrom('category').innerJoin('sector', 'sector.id', 'category.sector_id').select(['category.id', 'sector.code']).execute();
  for (const m of DEMO_MUNICIPALITIES) {
    const existing = await db.selectFrom('municipality').select('id').where('oktmo', '=', m.oktmo).executeTakeFirst();
    if (existing) {
      municipalities[m.en] = existing.id;
      continue;
    }
    const { id } = await db
      .insertInto('municipality')
      .values({ name_ru: m.ru, name_en: m.en, oktmo: m.oktmo, population_over_14: m.population, time_zone: 'Asia/Novokuznetsk', boundary: null, min_lat: null, max_lat: null, min_lon: null, max_lon: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    municipalities[m.en] = id;
    await setBoundary(db, checker, id, approxCity(m.center.lat, m.center.lon, m.r[0], m.r[1]));
    const city = await db.insertInto('executor').values({ municipality_id: id, name: `Администрация: ${m.ru}`, kind: 'organisation' }).returning('id').executeTakeFirstOrThrow();
    const utility = await db.insertInto('executor').values({ municipality_id: id, name: `Управляющая компания «${m.city}-Сервис»`, kind: 'organisation' }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('routing_rule')
      .values(categories.map((c) => ({ municipality_id: id, category_id: c.id, executor_id: c.code === 'housing' || c.code === 'waste' ? utility.id : city.id })))
      .execute();
    await db
      .insertInto('staff')
      .values([
        { full_name: `Куратор (${m.city})`, role: 'curator', municipality_id: id, executor_id: null },
        { full_name: `Модератор (${m.city})`, role: 'moderator', municipality_id: id, executor_id: null },
        { full_name: `Исполнитель (${m.city})`, role: 'executor', municipality_id: id, executor_id: city.id },
        { full_name: `Исполнитель УК (${m.city})`, role: 'executor', municipality_id: id, executor_id: utility.id },
      ])
      .execute();
  }
  return { municipalities };
}
