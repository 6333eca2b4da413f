import { createRoute } from '@hono/zod-openapi';
import { setPublished } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'unpublishMessage',
  path: '/messages/{id}/unpublish',
  tags: ['moderation'],
  summary: 'Withdraw a message from publication',
  description: 'Idempotent: repeating it changes nothing.',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders },
  responses: { 200: jsonContent(MessageSchema, 'The message'), ...problems(400, 404, 409) },
});

export function registerUnpublishMessage(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, target }) => {
      const result = await setPublished(trx, { ...target, published: false }, now);
      return { result, action: 'message.unpublish' };
    });
  });
}
