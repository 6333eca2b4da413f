import { createRoute } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { setPublished } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'publishMessage',
  path: '/messages/{id}/publish',
  tags: ['moderation'],
  summary: 'Publish a message so other residents see and support it («опубликовано»)',
  description: 'Idempotent: repeating it changes nothing.',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders },
  responses: { 200: jsonContent(MessageSchema, 'The message'), ...problems(400, 404, 409) },
});

export function registerPublishMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      const result = await setPublished(trx, { messageId: id, published: true, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.publish', entity: 'message', entityId: id, municipalityId: result.municipalityId } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
