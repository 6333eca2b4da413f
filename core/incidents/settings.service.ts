import type { Selectable } from 'kysely';
import { seesMunicipality, type Scope } from '../access/scope.ts';
import { getCategory } from '../categories/category.repository.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';
import type { IncidentRuleTable, IncidentSourceTable } from './incident.table.ts';
import { stemsOf } from './stems.ts';

/** Monitored public pages (VK communities) and keyword rules, per municipality. */
export interface IncidentSource {
  id: number;
  municipalityId: number;
  kind: 'vk_page';
  ownerId: number;
  name: string;
  active: boolean;
  lastPostId: number;
  lastCommentId: number;
  lastPolledAt: Date | null;
  createdAt: Date;
}

export interface IncidentRule {
  id: number;
  municipalityId: number;
  categoryId: number;
  stems: string[];
  active: boolean;
  createdAt: Date;
}

const toSource = (r: Selectable<IncidentSourceTable>): IncidentSource => ({
  id: r.id,
  municipalityId: r.municipality_id,
  kind: r.kind,
  ownerId: Number(r.owner_id),
  name: r.name,
  active: r.active,
  lastPostId: Number(r.last_post_id),
  lastCommentId: Number(r.last_comment_id),
  lastPolledAt: r.last_polled_at,
  createdAt: r.created_at,
});

const toRule = (r: Selectable<IncidentRuleTable>): IncidentRule => ({
  id: r.id,
  municipalityId: r.municipality_id,
  categoryId: r.category_id,
  stems: r.stems,
  active: r.active,
  createdAt: r.created_at,
});

function name(raw: string): string {
  const value = raw.trim();
  if (!value || value.length > 200) throw new DomainError('VALIDATION', { field: 'name', problem: '1 to 200 characters' });
  return value;
}

export async function listSources(db: Db, municipalityId: number | null): Promise<IncidentSource[]> {
  let q = db.selectFrom('incident_source').selectAll().orderBy('id');
  if (municipalityId !== null) q = q.where('municipality_id', '=', municipalityId);
  return (await q.execute()).map(toSource);
}

export async function getSource(db: Db, scope: Scope, id: number): Promise<IncidentSource> {
  const row = await db.selectFrom('incident_source').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !seesMunicipality(scope, row.municipality_id)) throw new DomainError('INCIDENT_SOURCE_NOT_FOUND', { id });
  return toSource(row);
}

export async function createSource(db: Db, input: { municipalityId: number; ownerId: number; name: string }, now: Date): Promise<IncidentSource> {
  await getMunicipality(db, input.municipalityId);
  const row = await db
    .insertInto('incident_source')
    .values({ municipality_id: input.municipalityId, owner_id: input.ownerId, name: name(input.name), created_at: now })
    .onConflict((oc) => oc.columns(['municipality_id', 'owner_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new DomainError('ALREADY_EXISTS', { field: 'ownerId', ownerId: input.ownerId });
  return toSource(row);
}

export async function updateSource(db: Db, id: number, patch: { name?: string; active?: boolean }): Promise<IncidentSource> {
  const row = await db
    .updateTable('incident_source')
    .set({ ...(patch.name !== undefined && { name: name(patch.name) }), ...(patch.active !== undefined && { active: patch.active }) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSource(row);
}

export async function deleteSource(db: Db, id: number): Promise<void> {
  await db.deleteFrom('incident_source').where('id', '=', id).execute();
}

export async function listRules(db: Db, municipalityId: number | null): Promise<IncidentRule[]> {
  let q = db.selectFrom('incident_rule').selectAll().orderBy('id');
  if (municipalityId !== null) q = q.where('municipality_id', '=', municipalityId);
  return (await q.execute()).map(toRule);
}

export async function getRule(db: Db, scope: Scope, id: number): Promise<IncidentRule> {
  const row = await db.selectFrom('incident_rule').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !seesMunicipality(scope, row.municipality_id)) throw new DomainError('INCIDENT_RULE_NOT_FOUND', { id });
  return toRule(row);
}

function stemsFrom(keywords: string[]): string[] {
  const stems = stemsOf(keywords);
  if (stems.length === 0 || stems.length > 100) throw new DomainError('VALIDATION', { field: 'keywords', problem: '1 to 100 words of at least two letters' });
  return stems;
}

async function activeCategory(db: Db, categoryId: number): Promise<number> {
  const category = await getCategory(db, categoryId);
  if (!category.active) throw new DomainError('CATEGORY_NOT_FOUND', { id: categoryId });
  return category.id;
}

/**
 * One rule per category and set of stems in a municipality: the same keywords again (in any form or
 * order) would only list it twice. ALREADY_EXISTS names the rule there is.
 */
async function refuseSameRule(db: Db, rule: { municipalityId: number; categoryId: number; stems: string[] }, exceptId?: number): Promise<void> {
  const key = (stems: string[]) => [...new Set(stems)].sort().join(' ');
  const rows = await db.selectFrom('incident_rule').select(['id', 'stems']).where('municipality_id', '=', rule.municipalityId).where('category_id', '=', rule.categoryId).execute();
  const same = rows.find((r) => r.id !== exceptId && key(r.stems) === key(rule.stems));
  if (same) throw new DomainError('ALREADY_EXISTS', { field: 'keywords', id: same.id });
}

/** A rule's keywords are stored as stems (core/incidents/stems.ts): «ямы», «яма», «ямой» are one entry. */
export async function createRule(db: Db, input: { municipalityId: number; categoryId: number; keywords: string[] }, now: Date): Promise<IncidentRule> {
  await getMunicipality(db, input.municipalityId);
  const categoryId = await activeCategory(db, input.categoryId);
  const stems = stemsFrom(input.keywords);
  await refuseSameRule(db, { municipalityId: input.municipalityId, categoryId, stems });
  const row = await db.insertInto('incident_rule').values({ municipality_id: input.municipalityId, category_id: categoryId, stems, created_at: now }).returningAll().executeTakeFirstOrThrow();
  return toRule(row);
}

export async function updateRule(db: Db, id: number, patch: { categoryId?: number; keywords?: string[]; active?: boolean }): Promise<IncidentRule> {
  const categoryId = patch.categoryId === undefined ? undefined : await activeCategory(db, patch.categoryId);
  const stems = patch.keywords === undefined ? undefined : stemsFrom(patch.keywords);
  if (categoryId !== undefined || stems !== undefined) {
    const current = await db.selectFrom('incident_rule').select(['municipality_id', 'category_id', 'stems']).where('id', '=', id).executeTakeFirstOrThrow();
    await refuseSameRule(db, { municipalityId: current.municipality_id, categoryId: categoryId ?? current.category_id, stems: stems ?? current.stems }, id);
  }
  const row = await db
    .updateTable('incident_rule')
    .set({
      ...(categoryId !== undefined && { category_id: categoryId }),
      ...(stems !== undefined && { stems }),
      ...(patch.active !== undefined && { active: patch.active }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRule(row);
}

export async function deleteRule(db: Db, id: number): Promise<void> {
  await db.deleteFrom('incident_rule').where('id', '=', id).execute();
}
