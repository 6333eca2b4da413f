import { createRoute } from '@hono/zod-openapi';
import { markUrgent } from '../../../../core/messages/urgency.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'markUrgent',
  path: '/messages/{id}/urgent',
  tags: ['moderation'],
  summary: 'Mark an open message urgent: its executor then owes a draft within 1 working hour',
  description:
    'The hour counts from acceptance on the municipality\'s work calendar, as for open-source messages; a message in work that still has no draft ' +
    'is alerted by the next first-response scan. Idempotent: repeating it changes nothing.',
  ...access('messages.mark_urgent'),
  request: { params: IdParams, headers: IfMatchHeaders },
  responses: { 200: jsonContent(MessageSchema, 'The message'), ...problems(400, 404, 409) },
});

export function registerMarkUrgent(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, target }) => {
      const result = await markUrgent(trx, target, now);
      return { result, action: 'message.mark_urgent' };
    });
  });
}
