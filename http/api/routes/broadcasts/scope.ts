import { requireMunicipality, type Scope } from '../../../../core/access/scope.ts';
import { getBroadcast, type BroadcastProgress } from '../../../../core/broadcasts/broadcasts.ts';
import type { Db } from '../../../../core/db/types.ts';
import { DomainError } from '../../../../core/errors.ts';

/** A broadcast the scope may see: its municipality's (a region-wide one is the operators'); otherwise 404. */
export async function broadcastInScope(db: Db, scope: Scope, id: number): Promise<BroadcastProgress> {
  const broadcast = await getBroadcast(db, id);
  if (!broadcast) throw new DomainError('BROADCAST_NOT_FOUND', { id });
  requireMunicipality(scope, broadcast.municipalityId, 'BROADCAST_NOT_FOUND', id);
  return broadcast;
}
