import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope } from '../../../../core/access/scope.ts';
import { routeMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

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
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, scope, target }) => {
      await executorInScope(trx, scope, executorId);
      const before = await trx.selectFrom('message').select('executor_id').where('id', '=', id).executeTakeFirstOrThrow();
      const result = await routeMessage(trx, { ...target, executorId }, now);
      return { result, action: 'message.route', data: { from: before.executor_id, executorId } };
    });
  });
}
