import { requireMunicipality, type Scope } from '../../../../core/access/scope.ts';
import type { Db } from '../../../../core/db/types.ts';
import { getComment, type ItemComment } from '../../../../core/item-comments/comments.service.ts';

/** A comment on a news item or a poll the scope may see (regional targets: operators); otherwise 404. */
export async function itemCommentInScope(db: Db, scope: Scope, id: number): Promise<ItemComment> {
  const comment = await getComment(db, id);
  requireMunicipality(scope, comment.municipalityId, 'COMMENT_NOT_FOUND', id);
  return comment;
}
