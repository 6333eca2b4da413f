import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { markDuplicate } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, expectedVersion, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

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
    const version = expectedVersion(c.req.valid('header')['if-match']);
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      await messageInScope(trx, scope, originalId);
      const result = await markDuplicate(trx, { messageId: id, originalId, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.mark_duplicate', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { originalId } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
