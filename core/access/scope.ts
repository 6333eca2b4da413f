import { getAnswer, type Answer } from '../messages/answers.service.ts';
import { getMessage, type Message } from '../messages/message.repository.ts';
import type { Db } from '../db/types.ts';
import { DomainError, type ErrorCode } from '../errors.ts';
import type { Principal } from './principal.ts';

/**
 * What a principal may see. Anything outside the scope is reported as not found, never as
 * forbidden, so that ids of other municipalities cannot be probed.
 */
export interface Scope {
  /** null: every municipality (operators). */
  municipalityId: number | null;
  /** Executors see only the messages assigned to their organisation. */
  executorId: number | null;
  /**
   * Operators (the platform's own staff) are seen only by operators: a regional official's scope
   * is the whole region, not the platform (no reading an operator, nor linking a messenger to one).
   */
  seesOperators?: boolean;
}

export function scopeOf(principal: Principal): Scope {
  if (principal.role === 'operator') return { municipalityId: null, executorId: null, seesOperators: true };
  return { municipalityId: principal.municipalityId, executorId: principal.role === 'executor' ? principal.executorId : null };
}

export function seesMunicipality(scope: Scope, municipalityId: number | null): boolean {
  return scope.municipalityId === null || scope.municipalityId === municipalityId;
}

/** Throws `code` (a not-found code) when the municipality is outside the scope. */
export function requireMunicipality(scope: Scope, municipalityId: number | null, code: ErrorCode = 'MUNICIPALITY_NOT_FOUND', id?: number): void {
  if (!seesMunicipality(scope, municipalityId)) throw new DomainError(code, { id: id ?? municipalityId });
}

/**
 * A municipality a write names (`municipalityId` of a body): outside the scope, or naming no
 * municipality at all (an operator sees every id), it is MUNICIPALITY_NOT_FOUND, never the
 * foreign key's violation further on (a 500). null (the whole region) is checked against the scope only.
 */
export async function municipalityInScope(db: Db, scope: Scope, municipalityId: number | null): Promise<void> {
  requireMunicipality(scope, municipalityId);
  if (municipalityId === null) return;
  const row = await db.selectFrom('municipality').select('id').where('id', '=', municipalityId).executeTakeFirst();
  if (!row) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
}

/**
 * The municipality a list is restricted to: the requested one (checked) or the scope's own;
 * null means every municipality.
 */
export function listMunicipality(scope: Scope, requested: number | undefined): number | null {
  if (requested !== undefined) {
    requireMunicipality(scope, requested);
    return requested;
  }
  return scope.municipalityId;
}

export function seesMessage(scope: Scope, message: Pick<Message, 'municipalityId' | 'executorId'>): boolean {
  return seesMunicipality(scope, message.municipalityId) && (scope.executorId === null || message.executorId === scope.executorId);
}

export async function messageInScope(db: Db, scope: Scope, messageId: number): Promise<Message> {
  const message = await getMessage(db, messageId);
  if (!seesMessage(scope, message)) throw new DomainError('MESSAGE_NOT_FOUND', { id: messageId });
  return message;
}

export async function answerInScope(db: Db, scope: Scope, answerId: number): Promise<{ answer: Answer; message: Message }> {
  const answer = await getAnswer(db, answerId);
  const message = await getMessage(db, answer.messageId);
  if (!seesMessage(scope, message)) throw new DomainError('ANSWER_NOT_FOUND', { id: answerId });
  return { answer, message };
}

/** Executors of the scope's municipality, and regional ones (no municipality), which every municipality may route to. */
export async function executorInScope(db: Db, scope: Scope, executorId: number): Promise<{ id: number; municipalityId: number | null }> {
  const row = await db.selectFrom('executor').select(['id', 'municipality_id']).where('id', '=', executorId).executeTakeFirst();
  if (!row || (row.municipality_id !== null && !seesMunicipality(scope, row.municipality_id))) throw new DomainError('EXECUTOR_NOT_FOUND', { id: executorId });
  return { id: row.id, municipalityId: row.municipality_id };
}

export async function staffInScope(db: Db, scope: Scope, staffId: number): Promise<{ id: number; municipalityId: number | null }> {
  const row = await db.selectFrom('staff').select(['id', 'municipality_id', 'role']).where('id', '=', staffId).executeTakeFirst();
  // Operators belong to no municipality: only other operators see them (a regional official neither).
  if (!row || !seesMunicipality(scope, row.municipality_id) || (row.role === 'operator' && !scope.seesOperators)) throw new DomainError('STAFF_NOT_FOUND', { id: staffId });
  return { id: row.id, municipalityId: row.municipality_id };
}
