import { createRoute, z } from '@hono/zod-openapi';
import { answerInScope } from '../../../../core/access/scope.ts';
import { returnAnswer } from '../../../../core/messages/answers.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, staffActor } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { AnswerSchema, answerDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ remark: z.string().max(2000).openapi({ description: 'what the executor should fix' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'returnAnswer',
  path: '/answers/{id}/return',
  tags: ['answers'],
  summary: 'Return a draft answer to its author with a remark',
  ...access('answers.review'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(AnswerSchema, 'The returned answer'), ...problems(400, 404, 409) },
});

export function registerReturnAnswer(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { remark } = c.req.valid('json');
    const answer = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const { message } = await answerInScope(trx, scope, id);
      const result = await returnAnswer(trx, { answerId: id, remark, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'answer.return', entity: 'answer', entityId: id, municipalityId: message.municipalityId, data: { messageId: message.id } } };
    });
    return c.json(answerDto(answer), 200);
  });
}
