import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { addStaffComment } from '../../../../core/messages/feedback.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CommentSchema, commentDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  text: z.string().max(4000),
  replyToId: BodyId.optional().openapi({ description: 'the resident\'s comment being answered (same message)' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createMessageComment',
  path: '/messages/{id}/comments',
  tags: ['comments'],
  summary: 'An official\'s comment, usually a reply to the resident\'s; the resident is notified',
  ...access('comments.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 201: jsonContent(CommentSchema, 'The comment'), ...problems(400, 404) },
});

export function registerCreateComment(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { text, replyToId } = c.req.valid('json');
    const comment = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const message = await messageInScope(trx, scope, id);
      const result = await addStaffComment(trx, { staffId: principal.staffId, messageId: id, text, replyToId }, now);
      return { result, audit: { action: 'comment.create', entity: 'comment', entityId: result.id, municipalityId: message.municipalityId, data: { messageId: id, replyToId: replyToId ?? null } } };
    });
    return c.json(commentDto(comment), 201);
  });
}
