import { createRoute, z } from '@hono/zod-openapi';
import { answerQuestion } from '../../../../core/polls/direct-line.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { AnswerQuestionBody, DirectLineQuestionSchema, questionDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';
import { directLineInScope } from './scope.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
  questionId: Id.openapi({ param: { name: 'questionId', in: 'path' }, example: 1 }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'answerDirectLineQuestion',
  path: '/direct-lines/{id}/questions/{questionId}/answer',
  tags: ['direct lines'],
  summary: 'Answer a question (the answer goes to its author in the bot) and/or mark it selected for the broadcast',
  ...access('direct_lines.write'),
  request: { params: Params, body: jsonBody(AnswerQuestionBody) },
  responses: { 200: jsonContent(DirectLineQuestionSchema, 'The question'), ...problems(400, 404) },
});

export function registerAnswerDirectLineQuestion(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id, questionId } = c.req.valid('param');
    const body = c.req.valid('json');
    const question = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      const line = await directLineInScope(trx, scope, id);
      const { question: answered, notified } = await answerQuestion(trx, id, questionId, body, principal.staffId, now);
      return {
        result: answered,
        audit: {
          action: 'direct_line.answer',
          entity: 'direct_line_question',
          entityId: questionId,
          municipalityId: line.municipalityId,
          data: { directLineId: id, answered: body.text !== undefined, ...(body.selected !== undefined && { selected: body.selected }), authorNotified: notified },
        },
      };
    });
    return c.json(questionDto(question), 200);
  });
}
