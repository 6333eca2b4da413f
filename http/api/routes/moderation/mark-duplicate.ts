import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { markDuplicate } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

const Body = z.strictObject({ originalId: BodyId.openapi({ description: 'an open message of the same municipality' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'markDuplicate',
  path: '/messages/{id}/duplicate',
  tags: ['moderation'],
  summary: 'Mark a message as a duplicate of another one',
  description:
    'A new message is rejected with the reason "duplicate of #…" and its author becomes a supporter of the original. A message already in work is linked to an original accepted into work or closed (one still on moderation is a 409), takes the duplicates linked to it along, and is closed with the original\'s outcome and final answer (at once if the original is closed, else when its final answer is approved); its author is told. Counted once in the statistics.',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The duplicate: rejected, or linked (and closed if the original is)'), ...problems(400, 404, 409, 422) },
});

export function registerMarkDuplicate(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { originalId } = c.req.valid('json');
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, scope, target }) => {
      await messageInScope(trx, scope, originalId);
      const result = await markDuplicate(trx, { ...target, originalId }, now);
      return { result, action: 'message.mark_duplicate', data: { originalId } };
    });
  });
}
