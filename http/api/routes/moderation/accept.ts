import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope } from '../../../../core/access/scope.ts';
import { acceptMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

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
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, scope, target }) => {
      if (executorId !== undefined) await executorInScope(trx, scope, executorId);
      const result = await acceptMessage(trx, { ...target, executorId }, now);
      return { result, action: 'message.accept', data: { executorId: result.executorId, routed: executorId === undefined } };
    });
  });
}
