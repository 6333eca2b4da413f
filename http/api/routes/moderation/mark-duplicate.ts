import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { markDuplicate } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ originalId: BodyId.openapi({ description: 'an open message of the same municipality' }) });

export const route = createRoute({
  method: 'post',
  path: '/messages/{id}/duplicate',
  tags: ['moderation'],
  summary: 'Close a message as a duplicate of another one',
  description: 'Its author becomes a supporter of the original and follows it from now on.',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The duplicate, now rejected'), ...problems(400, 404, 409, 422) },
});

export function registerMarkDuplicate(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { originalId } = c.req.valid('json');
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      await messageInScope(trx, scope, originalId);
      const result = await markDuplicate(trx, { messageId: id, originalId, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.mark_duplicate', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { originalId } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
