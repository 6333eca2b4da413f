import { createRoute, z } from '@hono/zod-openapi';
import { changeCategory } from '../../../../core/messages/moderation.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IfMatchHeaders, MessageSchema } from '../../schemas/message.ts';
import { answerMessageWrite } from './message-write.ts';

const Body = z.strictObject({ categoryId: BodyId });

export const route = createRoute({
  method: 'post',
  operationId: 'changeMessageCategory',
  path: '/messages/{id}/category',
  tags: ['moderation'],
  summary: 'Move an open message to another category',
  ...access('messages.moderate'),
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody(Body) },
  responses: { 200: jsonContent(MessageSchema, 'The message'), ...problems(400, 404, 409) },
});

export function registerChangeMessageCategory(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { categoryId } = c.req.valid('json');
    return answerMessageWrite(c, deps, id, c.req.valid('header')['if-match'], async ({ trx, now, before, target }) => {
      const result = await changeCategory(trx, { ...target, categoryId }, now);
      return { result, action: 'message.change_category', data: { from: before.categoryId, to: categoryId } };
    });
  });
}
