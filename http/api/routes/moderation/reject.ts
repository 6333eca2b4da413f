import { createRoute, z } from '@hono/zod-openapi';
import { rejectMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

const Body = z.strictObject({
  reason: z.string().max(1000).openapi({ description: 'shown to the resident' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'rejectMessage',
  path: '/messages/{id}/reject',
  tags: ['moderation'],
  summary: 'Reject a new message with a reason',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The rejected message'), ...problems(400, 404, 409) },
});

export function registerRejectMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, target }) => {
      const result = await rejectMessage(trx, { ...target, reason }, now);
      // The reason is free text written for the resident: the audit keeps the fact, the message keeps the text.
      return { result, action: 'message.reject' };
    });
  });
}
