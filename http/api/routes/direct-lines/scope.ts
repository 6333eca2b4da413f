import { requireMunicipality, type Scope } from '../../../../core/access/scope.ts';
import type { Db } from '../../../../core/db/types.ts';
import { getDirectLine, type DirectLine } from '../../../../core/polls/direct-line.ts';

/** A campaign of the scope's municipality; otherwise 404. */
export async function directLineInScope(db: Db, scope: Scope, id: number): Promise<DirectLine> {
  const line = await getDirectLine(db, id);
  requireMunicipality(scope, line.municipalityId, 'DIRECT_LINE_NOT_FOUND', id);
  return line;
}
