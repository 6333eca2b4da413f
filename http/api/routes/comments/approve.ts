import { createRoute, z } from '@hono/zod-openapi';
import { approveComment } from '../../../../core/item-comments/comments.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { ItemCommentSchema, itemCommentDto } from '../../schemas/item-comments.ts';
import { audited } from '../../write.ts';
import { itemCommentInScope } from './scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'approveItemComment',
  path: '/comments/{id}/approve',
  tags: ['comments'],
  summary: 'Show a comment waiting for pre-moderation, or one hidden by reports after review',
  ...access('item_comments.moderate'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(ItemCommentSchema, 'The comment'), ...problems(400, 404, 409) },
});

export function registerApproveItemComment(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const comment = await audited(c, deps, async ({ trx, scope, principal }) => {
      await itemCommentInScope(trx, scope, id);
      const approved = await approveComment(trx, id, principal.staffId);
      return { result: approved, audit: { action: 'item_comment.approve', entity: 'item_comment', entityId: id, municipalityId: approved.municipalityId } };
    });
    return c.json(itemCommentDto(comment), 200);
  });
}
