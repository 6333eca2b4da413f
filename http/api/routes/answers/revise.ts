import { createRoute, z } from '@hono/zod-openapi';
import { answerInScope } from '../../../../core/access/scope.ts';
import { MAX_ANSWER_PHOTOS, reviseAnswer } from '../../../../core/messages/answers.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, staffActor } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { AnswerSchema, Resolution, answerDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  text: z.string().max(4000),
  resolution: Resolution.optional().openapi({ description: 'final answers only' }),
  mediaIds: z.array(z.number().int().positive()).max(MAX_ANSWER_PHOTOS).optional().openapi({
    description:
      "the answer's photos attached through the API from now on (POST /media; images of the message's municipality or regional), replacing those attached before; photos sent with the answer in the bot stay; at most 10 photos in all",
  }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'reviseAnswer',
  path: '/answers/{id}/revise',
  tags: ['answers'],
  summary: 'Revise a draft or returned answer; it goes back to the curator',
  ...access('answers.draft'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(AnswerSchema, 'The revised answer, a draft again'), ...problems(400, 404, 409) },
});

export function registerReviseAnswer(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { text, resolution, mediaIds } = c.req.valid('json');
    const answer = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const { message } = await answerInScope(trx, scope, id);
      const result = await reviseAnswer(trx, { answerId: id, text, resolution, mediaIds, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'answer.revise', entity: 'answer', entityId: id, municipalityId: message.municipalityId, data: { messageId: message.id, ...(mediaIds && { mediaIds }) } } };
    });
    return c.json(answerDto(answer), 200);
  });
}
