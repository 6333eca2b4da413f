import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';

/** An organisation or official responsible for solving problems (directory «Исполнители»). */
export interface Executor {
  id: number;
  municipalityId: number | null;
  name: string;
  kind: 'organisation' | 'official';
  active: boolean;
  createdAt: Date;
}

export interface RoutingRule {
  id: number;
  municipalityId: number;
  categoryId: number;
  executorId: number;
}

function toExecutor(r: { id: number; municipality_id: number | null; name: string; kind: 'organisation' | 'official'; active: boolean; created_at: Date }): Executor {
  return { id: r.id, municipalityId: r.municipality_id, name: r.name, kind: r.kind, active: r.active, createdAt: r.created_at };
}

export async function listExecutors(db: Db, filter: { municipalityId: number | null; active?: boolean }): Promise<Executor[]> {
  let query = db.selectFrom('executor').selectAll().orderBy('municipality_id').orderBy('id');
  // A municipality's list includes the regional executors its rules may name.
  if (filter.municipalityId !== null) query = query.where((eb) => eb.or([eb('municipality_id', '=', filter.municipalityId), eb('municipality_id', 'is', null)]));
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  return (await query.execute()).map(toExecutor);
}

export async function getExecutor(db: Db, id: number): Promise<Executor> {
  const row = await db.selectFrom('executor').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('EXECUTOR_NOT_FOUND', { id });
  return toExecutor(row);
}

/** The names of the given executors (organisations, never their staff), by id; unknown ids left out. */
export async function executorNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('executor').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * One active organisation of a name (case and runs of spaces aside) in a municipality's directory
 * (or among the regional ones): a second «Водоканал» would split its routing and its rating.
 * Officials may share a name; a switched-off organisation gives its name up.
 */
async function refuseSameOrganisation(db: Db, municipalityId: number | null, name: string, exceptId?: number): Promise<void> {
  let query = db
    .selectFrom('executor')
    .select('id')
    .where('kind', '=', 'organisation')
    .where('active', '=', true)
    .where(sql<boolean>`lower(regexp_replace(btrim(name), '\\s+', ' ', 'g')) = lower(regexp_replace(btrim(${name}::text), '\\s+', ' ', 'g'))`);
  query = municipalityId === null ? query.where('municipality_id', 'is', null) : query.where('municipality_id', '=', municipalityId);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  const same = await query.executeTakeFirst();
  if (same) throw new DomainError('ALREADY_EXISTS', { field: 'name', id: same.id });
}

/** `municipalityId: null` makes a regional executor (a regional ministry) serving every municipality. */
export async function createExecutor(db: Db, input: { municipalityId: number | null; name: string; kind: 'organisation' | 'official' }): Promise<Executor> {
  const name = input.name.trim();
  if (!name) throw new DomainError('VALIDATION', { field: 'name', problem: 'empty' });
  if (input.municipalityId !== null) {
    const municipality = await db.selectFrom('municipality').select('id').where('id', '=', input.municipalityId).executeTakeFirst();
    if (!municipality) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: input.municipalityId });
  }
  if (input.kind === 'organisation') await refuseSameOrganisation(db, input.municipalityId, name);
  const row = await db.insertInto('executor').values({ municipality_id: input.municipalityId, name, kind: input.kind }).returningAll().executeTakeFirstOrThrow();
  return toExecutor(row);
}

/**
 * Deactivating an executor stops new routing to it (routeExecutor skips inactive ones);
 * messages already in its work stay assigned.
 */
export async function updateExecutor(db: Db, id: number, patch: { name?: string; active?: boolean }): Promise<Executor> {
  const name = patch.name?.trim();
  if (patch.name !== undefined && !name) throw new DomainError('VALIDATION', { field: 'name', problem: 'empty' });
  const values = { ...(name && { name }), ...(patch.active !== undefined && { active: patch.active }) };
  if (Object.keys(values).length === 0) return getExecutor(db, id);
  if (name) {
    const current = await getExecutor(db, id);
    if (current.kind === 'organisation') await refuseSameOrganisation(db, current.municipalityId, name, id);
  }
  const row = await db.updateTable('executor').set(values).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) throw new DomainError('EXECUTOR_NOT_FOUND', { id });
  return toExecutor(row);
}

export async function listRoutingRules(db: Db, filter: { municipalityId: number | null; categoryId?: number }): Promise<RoutingRule[]> {
  let query = db.selectFrom('routing_rule').selectAll().orderBy('municipality_id').orderBy('category_id');
  if (filter.municipalityId !== null) query = query.where('municipality_id', '=', filter.municipalityId);
  if (filter.categoryId !== undefined) query = query.where('category_id', '=', filter.categoryId);
  return (await query.execute()).map((r) => ({ id: r.id, municipalityId: r.municipality_id, categoryId: r.category_id, executorId: r.executor_id }));
}

export async function getRoutingRule(db: Db, id: number): Promise<RoutingRule> {
  const r = await db.selectFrom('routing_rule').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new DomainError('ROUTING_RULE_NOT_FOUND', { id });
  return { id: r.id, municipalityId: r.municipality_id, categoryId: r.category_id, executorId: r.executor_id };
}

/** One executor per municipality and category: setting a rule replaces the previous one. */
export async function setRoutingRule(db: Db, input: { municipalityId: number; categoryId: number; executorId: number }): Promise<RoutingRule> {
  const category = await db.selectFrom('category').select('id').where('id', '=', input.categoryId).executeTakeFirst();
  if (!category) throw new DomainError('CATEGORY_NOT_FOUND', { id: input.categoryId });
  const executor = await getExecutor(db, input.executorId);
  // A regional executor may be named by any municipality's rules.
  if (executor.municipalityId !== null && executor.municipalityId !== input.municipalityId)
    throw new DomainError('EXECUTOR_OUT_OF_SCOPE', { executorId: executor.id, municipalityId: input.municipalityId });
  // A rule naming a switched-off executor would route nothing: accepting a message would then say NO_ROUTING_RULE.
  if (!executor.active) throw new DomainError('EXECUTOR_INACTIVE', { executorId: executor.id });
  const r = await db
    .insertInto('routing_rule')
    .values({ municipality_id: input.municipalityId, category_id: input.categoryId, executor_id: input.executorId })
    .onConflict((oc) => oc.columns(['municipality_id', 'category_id']).doUpdateSet({ executor_id: input.executorId }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: r.id, municipalityId: r.municipality_id, categoryId: r.category_id, executorId: r.executor_id };
}

export async function deleteRoutingRule(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom('routing_rule').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new DomainError('ROUTING_RULE_NOT_FOUND', { id });
}
