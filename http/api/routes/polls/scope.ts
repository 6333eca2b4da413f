import { requireMunicipality, type Scope } from '../../../../core/access/scope.ts';
import type { Db } from '../../../../core/db/types.ts';
import { DomainError } from '../../../../core/errors.ts';
import { findPoll, type Poll } from '../../../../core/polls/polls.ts';

/** A poll the scope may see: its municipality's (a region-wide one is the operators'); otherwise 404. */
export async function pollInScope(db: Db, scope: Scope, id: number): Promise<Poll> {
  const poll = await findPoll(db, id);
  if (!poll) throw new DomainError('POLL_NOT_FOUND', { id });
  requireMunicipality(scope, poll.municipalityId, 'POLL_NOT_FOUND', id);
  return poll;
}
