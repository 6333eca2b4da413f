import { requireMunicipality, type Scope } from '../../../../core/access/scope.ts';
import { type Contest, getContest } from '../../../../core/contests/contests.ts';
import type { Db } from '../../../../core/db/types.ts';

/** A contest the scope may see: its municipality's (a region-wide one is the operators'); otherwise 404. */
export async function contestInScope(db: Db, scope: Scope, id: number): Promise<Contest> {
  const contest = await getContest(db, id);
  requireMunicipality(scope, contest.municipalityId, 'CONTEST_NOT_FOUND', id);
  return contest;
}
