import { createRoute, z } from '@hono/zod-openapi';
import { hideComment } from '../../../../core/item-comments/comments.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ItemCommentSchema, itemCommentDto } from '../../schemas/item-comments.ts';
import { audited } from '../../write.ts';
import { itemCommentInScope } from './scope.ts';

const Body = z.strictObject({ reason: z.string().trim().min(1).max(500).openapi({ description: 'told to the author' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'hideItemComment',
  path: '/comments/{id}/hide',
  tags: ['comments'],
  summary: 'Hide a comment on a news item or a poll, with a reason; its author is told',
  ...access('item_comments.moderate'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(ItemCommentSchema, 'The comment'), ...problems(400, 404, 409) },
});

export function registerHideItemComment(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const comment = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      await itemCommentInScope(trx, scope, id);
      const hidden = await hideComment(trx, id, reason, principal.staffId, now);
      return { result: hidden, audit: { action: 'item_comment.hide', entity: 'item_comment', entityId: id, municipalityId: hidden.municipalityId } };
    });
    return c.json(itemCommentDto(comment), 200);
  });
}
