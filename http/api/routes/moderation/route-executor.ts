import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope, messageInScope } from '../../../../core/access/scope.ts';
import { routeMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ executorId: BodyId });

export const route = createRoute({
  method: 'post',
  operationId: 'routeMessage',
  path: '/messages/{id}/executor',
  tags: ['moderation'],
  summary: 'Route a message in work to another executor',
  description: "Curators and moderators of the message's municipality (seed 004 §6). The new executor's staff are alerted; the previous executor's staff are told it is no longer theirs.",
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The message, with its new executor'), ...problems(400, 404, 409, 422) },
});

export function registerRouteMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { executorId } = c.req.valid('json');
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      await executorInScope(trx, scope, executorId);
      const before = await trx.selectFrom('message').select('executor_id').where('id', '=', id).executeTakeFirstOrThrow();
      const result = await routeMessage(trx, { messageId: id, executorId, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.route', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { from: before.executor_id, executorId } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
