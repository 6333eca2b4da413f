import { createRoute, z } from '@hono/zod-openapi';
import { replyToComment } from '../../../../core/item-comments/comments.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ItemCommentSchema, itemCommentDto } from '../../schemas/item-comments.ts';
import { audited } from '../../write.ts';
import { itemCommentInScope } from './scope.ts';

const Body = z.strictObject({ text: z.string().trim().min(1).max(2000) });

export const route = createRoute({
  method: 'post',
  operationId: 'replyItemComment',
  path: '/comments/{id}/reply',
  tags: ['comments'],
  summary: "An official's reply to a comment on a news item or a poll; it goes to the comment's author",
  description: 'One reply per comment: a second one is refused (409 COMMENT_ALREADY_REPLIED), since the author has been sent the first.',
  ...access('item_comments.moderate'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(ItemCommentSchema, 'The comment with the reply'), ...problems(400, 404, 409) },
});

export function registerReplyItemComment(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { text } = c.req.valid('json');
    const comment = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      await itemCommentInScope(trx, scope, id);
      const replied = await replyToComment(trx, id, text, principal.staffId, now);
      return { result: replied, audit: { action: 'item_comment.reply', entity: 'item_comment', entityId: id, municipalityId: replied.municipalityId } };
    });
    return c.json(itemCommentDto(comment), 200);
  });
}
