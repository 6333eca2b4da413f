import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { changeCategory } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ categoryId: BodyId });

export const route = createRoute({
  method: 'post',
  operationId: 'changeMessageCategory',
  path: '/messages/{id}/category',
  tags: ['moderation'],
  summary: 'Move an open message to another category',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The message'), ...problems(400, 404, 409) },
});

export function registerChangeMessageCategory(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { categoryId } = c.req.valid('json');
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const before = await messageInScope(trx, scope, id);
      const result = await changeCategory(trx, { messageId: id, categoryId, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.change_category', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { from: before.categoryId, to: categoryId } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
