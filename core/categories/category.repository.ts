import type { Db, Language } from '../db/types.ts';
import { DomainError } from '../errors.ts';

export interface Sector {
  id: number;
  code: string;
  titleRu: string;
  titleEn: string;
  position: number;
  active: boolean;
}
export interface Category {
  id: number;
  sectorId: number;
  code: string;
  titleRu: string;
  titleEn: string;
  active: boolean;
}

export function titleIn<T extends { titleRu: string; titleEn: string }>(item: T, language: Language): string {
  return language === 'en' ? item.titleEn : item.titleRu;
}

export async function listSectors(db: Db): Promise<Sector[]> {
  const rows = await db.selectFrom('sector').selectAll().orderBy('position').orderBy('id').execute();
  return rows.map(sectorFromRow);
}

function sectorFromRow(r: { id: number; code: string; title_ru: string; title_en: string; position: number; active: boolean }): Sector {
  return { id: r.id, code: r.code, titleRu: r.title_ru, titleEn: r.title_en, position: r.position, active: r.active };
}

export async function getSector(db: Db, id: number): Promise<Sector> {
  const row = await db.selectFrom('sector').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('SECTOR_NOT_FOUND', { id });
  return sectorFromRow(row);
}

export async function listCategories(
  db: Db,
  filter: { sectorId?: number; id?: number; activeOnly?: boolean } = {},
): Promise<Category[]> {
  let query = db.selectFrom('category').selectAll().orderBy('position').orderBy('id');
  if (filter.sectorId !== undefined) query = query.where('sector_id', '=', filter.sectorId);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  // A retired sector takes its categories out of filing with it.
  if (filter.activeOnly) query = query.where('active', '=', true).where('sector_id', 'in', (qb) => qb.selectFrom('sector').select('id').where('active', '=', true));
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    sectorId: r.sector_id,
    code: r.code,
    titleRu: r.title_ru,
    titleEn: r.title_en,
    active: r.active,
  }));
}

export async function getCategory(db: Db, id: number): Promise<Category> {
  const [found] = await listCategories(db, { id });
  if (!found) throw new DomainError('CATEGORY_NOT_FOUND', { id });
  return found;
}
