import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { rejectMessage } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

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
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      const result = await rejectMessage(trx, { messageId: id, reason, expectedVersion: version, actor: staffActor(principal) }, now);
      // The reason is free text written for the resident: the audit keeps the fact, the message keeps the text.
      return { result, audit: { action: 'message.reject', entity: 'message', entityId: id, municipalityId: result.municipalityId } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
