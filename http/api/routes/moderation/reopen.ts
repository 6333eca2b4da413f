import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { reopenMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

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
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      const result = await reopenMessage(trx, { messageId: id, reason, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.reopen', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { reason } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
