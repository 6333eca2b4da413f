import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { recordPublishedReply } from '../../../../core/incidents/publish.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, etag, staffActor } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { MessageSchema, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  url: z.string().max(2000).openapi({
    description: 'the reply as published under the source post: an absolute http(s) URL of a public page, any site (else 400 VALIDATION naming `url`)',
    example: 'https://vk.com/wall-1_101?reply=555',
  }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createPublishedReply',
  path: '/messages/{id}/published-reply',
  tags: ['incidents'],
  summary: 'Record the URL of an approved answer published by hand under the source post',
  description: 'For open-source messages whose answers the app cannot post itself (answerTarget by_hand): the approved answers waiting for publication are marked delivered.',
  ...access('incidents.publish'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The message'), ...problems(400, 404, 409, 422) },
});

export function registerPublishedReply(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { url } = c.req.valid('json');
    const message = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      await messageInScope(trx, scope, id);
      const result = await recordPublishedReply(trx, { messageId: id, url, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'message.published_reply', entity: 'message', entityId: id, municipalityId: result.municipalityId, data: { url } } };
    });
    return c.json(messageDto(message, deps.clock()), 200, etag(message.version));
  });
}
