import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope, messageInScope } from '../../../../core/access/scope.ts';
import { acceptMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  executorId: BodyId.optional().openapi({ description: 'omit to route by the municipality\'s routing rules' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'acceptMessage',
  path: '/messages/{id}/accept',
  tags: ['moderation'],
  summary: 'Accept a new message into work («принято в работу»)',
  description: 'Assigns the executor the routing rules name for the category, or the one chosen. The resident and the executor are notified.',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The message, now in work'), ...problems(400, 404, 409, 422) },
});

export function registerAcceptMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { executorId } = c.req.valid('json');
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      if (executorId !== undefined) await executorInScope(trx, scope, executorId);
      const result = await acceptMessage(trx, { messageId: id, executorId, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.accept', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { executorId: result.executorId, routed: executorId === undefined } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
