import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope } from '../../../../core/access/scope.ts';
import { draftAnswer, MAX_ANSWER_PHOTOS } from '../../../../core/messages/answers.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { AnswerSchema, MessageSchema, Resolution, answerDto, messageDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Text = z.string().max(4000);
const MediaIds = z
  .array(BodyId)
  .max(MAX_ANSWER_PHOTOS)
  .optional()
  .openapi({ description: 'up to 10 photos uploaded with POST /media, sent to the resident with the answer once approved' });
const Body = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('final'), resolution: Resolution, text: Text, mediaIds: MediaIds }),
    z.strictObject({ kind: z.literal('intermediate'), text: Text, mediaIds: MediaIds }),
    z.strictObject({ kind: z.literal('clarification'), text: Text, mediaIds: MediaIds }),
  ])
  .openapi('AnswerDraft');

export const route = createRoute({
  method: 'post',
  operationId: 'draftAnswer',
  path: '/messages/{id}/answers',
  tags: ['answers'],
  summary: 'Draft an answer: intermediate, final (solved | explained) or a clarification request',
  description:
    'Where the municipality requires approval the answer waits for the curator (state draft); otherwise it is applied at once: it reaches the resident and moves the lifecycle.',
  ...access('answers.draft'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: {
    201: jsonContent(z.object({ answer: AnswerSchema, message: MessageSchema }), 'The answer and the message after it'),
    ...problems(400, 404, 409),
  },
});

export function registerDraftAnswer(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { answer, message } = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const before = await messageInScope(trx, scope, id);
      const resolution = body.kind === 'final' ? body.resolution : null;
      const result = await draftAnswer(trx, { messageId: id, kind: body.kind, resolution, text: body.text, mediaIds: body.mediaIds, actor: staffActor(principal) }, now);
      return {
        result,
        audit: { action: 'answer.draft', entity: 'answer', entityId: result.answer.id, municipalityId: before.municipalityId, data: { messageId: id, kind: body.kind, resolution, state: result.answer.state, mediaIds: body.mediaIds ?? [] } },
      };
    });
    return c.json({ answer: answerDto(answer), message: messageDto(message, deps.clock()) }, 201);
  });
}
