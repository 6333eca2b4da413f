import { createRoute, z } from '@hono/zod-openapi';
import { answerInScope } from '../../../../core/access/scope.ts';
import { approveAnswer } from '../../../../core/messages/answers.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, staffActor } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { AnswerSchema, MessageSchema, answerDto, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'approveAnswer',
  path: '/answers/{id}/approve',
  tags: ['answers'],
  summary: 'Approve a draft answer: it is queued for the resident and moves the lifecycle',
  ...access('answers.review'),
  request: { params: IdParams },
  responses: {
    200: jsonContent(z.object({ answer: AnswerSchema, message: MessageSchema }), 'The approved answer and the message after it'),
    ...problems(400, 404, 409),
  },
});

export function registerApproveAnswer(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { answer, message } = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const { message: before } = await answerInScope(trx, scope, id);
      const result = await approveAnswer(trx, { answerId: id, actor: staffActor(principal) }, now);
      return {
        result,
        audit: { action: 'answer.approve', entity: 'answer', entityId: id, municipalityId: before.municipalityId, data: { messageId: before.id, from: before.status, to: result.message.status } },
      };
    });
    return c.json({ answer: answerDto(answer), message: messageDto(message, deps.clock()) }, 200);
  });
}
