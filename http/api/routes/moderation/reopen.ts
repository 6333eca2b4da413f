import { createRoute, z } from '@hono/zod-openapi';
import { reopenMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

const Body = z.strictObject({
  reason: z.string().max(1000).openapi({ description: 'why the answer did not solve the problem; shown to the resident and the executor' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'returnMessageToWork',
  path: '/messages/{id}/reopen',
  tags: ['moderation'],
  summary: 'Put a closed message back in work',
  description:
    "Curators (and operators), after a bad rating or the author's complaint: a solved or explained message goes back to `in_work` with its executor, " +
    'whose staff get the card again with the reason; the author is told and may rate the next final answer (the earlier rating stays in the history only). ' +
    'The 14-day clock still runs from the acceptance. A duplicate closes with its original (reopen the original); an open or rejected message is a 409.',
  ...access('answers.review'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The message, in work again'), ...problems(400, 404, 409) },
});

export function registerReopenMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, target }) => {
      const result = await reopenMessage(trx, { ...target, reason }, now);
      return { result, action: 'message.reopen', data: { reason } };
    });
  });
}
