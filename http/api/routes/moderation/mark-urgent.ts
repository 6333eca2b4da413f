import { createRoute } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { markUrgent } from '../../../../core/messages/urgency.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

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
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      const result = await markUrgent(trx, { messageId: id, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.mark_urgent', entity: 'message', entityId: id, municipalityId: result.municipalityId } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
