import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { getCategory, type Category } from './category.repository.ts';

export interface NewCategory {
  sectorId: number;
  code: string;
  titleRu: string;
  titleEn: string;
  position?: number;
}

/** Categories are one directory for the whole region (DOMAIN.md "Modules"); codes are unique. */
export async function createCategory(db: Db, input: NewCategory): Promise<Category> {
  const sector = await db.selectFrom('sector').select(['id', 'code']).where('id', '=', input.sectorId).executeTakeFirst();
  if (!sector) throw new DomainError('SECTOR_NOT_FOUND', { id: input.sectorId });
  const taken = await db.selectFrom('category').select('id').where('code', '=', input.code).executeTakeFirst();
  if (taken) throw new DomainError('ALREADY_EXISTS', { entity: 'category', code: input.code });
  const row = await db
    .insertInto('category')
    .values({ sector_id: sector.id, code: input.code, title_ru: input.titleRu, title_en: input.titleEn, ...(input.position !== undefined && { position: input.position }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return getCategory(db, row.id);
}

/** Retiring a category (active: false) hides it from filing; messages keep it. */
export async function updateCategory(db: Db, id: number, patch: { titleRu?: string; titleEn?: string; position?: number; active?: boolean }): Promise<Category> {
  await getCategory(db, id);
  const values = {
    ...(patch.titleRu !== undefined && { title_ru: patch.titleRu }),
    ...(patch.titleEn !== undefined && { title_en: patch.titleEn }),
    ...(patch.position !== undefined && { position: patch.position }),
    ...(patch.active !== undefined && { active: patch.active }),
  };
  if (Object.keys(values).length > 0) await db.updateTable('category').set(values).where('id', '=', id).execute();
  return getCategory(db, id);
}
