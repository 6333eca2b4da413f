import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { getCategory, getSector, type Category, type Sector } from './category.repository.ts';

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

/** Seed 002 §5: every active sector offers at least this many problem categories. */
export const MIN_CATEGORIES_PER_SECTOR = 3;

/**
 * Retiring a category (active: false) hides it from filing; messages keep it. Refused with
 * `SECTOR_TOO_FEW_CATEGORIES` when its sector is active and would keep fewer than three active
 * categories (retire the sector first, or add a category).
 */
export async function updateCategory(db: Db, id: number, patch: { titleRu?: string; titleEn?: string; position?: number; active?: boolean }): Promise<Category> {
  const current = await getCategory(db, id);
  if (patch.active === false && current.active) {
    // Lock the sector row: two retirements at once must not both see three.
    const sector = await db.selectFrom('sector').select(['id', 'active']).where('id', '=', current.sectorId).forUpdate().executeTakeFirstOrThrow();
    const { remaining } = await db
      .selectFrom('category')
      .select((eb) => eb.fn.countAll<string>().as('remaining'))
      .where('sector_id', '=', sector.id)
      .where('active', '=', true)
      .where('id', '!=', id)
      .executeTakeFirstOrThrow();
    if (sector.active && Number(remaining) < MIN_CATEGORIES_PER_SECTOR) {
      throw new DomainError(
        'SECTOR_TOO_FEW_CATEGORIES',
        { rule: 'seed 002 §5: at least three problem categories per active sector', sectorId: sector.id, minimum: MIN_CATEGORIES_PER_SECTOR, remaining: Number(remaining) },
        `Retiring this category would leave its sector with ${remaining} active categories; seed 002 §5 requires at least ${MIN_CATEGORIES_PER_SECTOR} per active sector. Add a category or retire the sector first.`,
      );
    }
  }
  const values = {
    ...(patch.titleRu !== undefined && { title_ru: patch.titleRu }),
    ...(patch.titleEn !== undefined && { title_en: patch.titleEn }),
    ...(patch.position !== undefined && { position: patch.position }),
    ...(patch.active !== undefined && { active: patch.active }),
  };
  if (Object.keys(values).length > 0) await db.updateTable('category').set(values).where('id', '=', id).execute();
  return getCategory(db, id);
}

export interface NewSector {
  code: string;
  titleRu: string;
  titleEn: string;
  position?: number;
}

/** Sectors group the categories (seed 002 §3.1); codes are unique. */
export async function createSector(db: Db, input: NewSector): Promise<Sector> {
  const taken = await db.selectFrom('sector').select('id').where('code', '=', input.code).executeTakeFirst();
  if (taken) throw new DomainError('ALREADY_EXISTS', { entity: 'sector', code: input.code });
  const row = await db
    .insertInto('sector')
    .values({ code: input.code, title_ru: input.titleRu, title_en: input.titleEn, ...(input.position !== undefined && { position: input.position }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return getSector(db, row.id);
}

/** Renames, reorders or retires (active: false) a sector; a retired sector's categories leave filing. */
export async function updateSector(db: Db, id: number, patch: { titleRu?: string; titleEn?: string; position?: number; active?: boolean }): Promise<Sector> {
  await getSector(db, id);
  const values = {
    ...(patch.titleRu !== undefined && { title_ru: patch.titleRu }),
    ...(patch.titleEn !== undefined && { title_en: patch.titleEn }),
    ...(patch.position !== undefined && { position: patch.position }),
    ...(patch.active !== undefined && { active: patch.active }),
  };
  if (Object.keys(values).length > 0) await db.updateTable('sector').set(values).where('id', '=', id).execute();
  return getSector(db, id);
}
