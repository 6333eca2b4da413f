import { createRoute, z } from '@hono/zod-openapi';
import { answerInScope } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { MAX_ANSWER_PHOTOS, reviseAnswer } from '../../../../core/messages/answers.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, expectedVersion, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { AnswerSchema, Resolution, answerDto } from '../../schemas/message.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  text: z.string().max(4000),
  resolution: Resolution.optional().openapi({ description: 'final answers only' }),
  mediaIds: z.array(BodyId).max(MAX_ANSWER_PHOTOS).optional().openapi({
    description:
      "the answer's photos from now on, all of them, in place of those it had (omitted: its photos stay as they are). Ids uploaded with POST /media (images of the message's municipality or regional) are attached; the id of a copy of a photo sent with the answer in the bot (its `photos[].mediaId`) keeps that photo. Photos sent in the bot that the list leaves out are dropped with their copies, and so are those given up (never copied); one still being copied stays (no list can name it yet), counts toward the 10, and its copy joins the answer when made. A list needs If-Match with the version it was made from (without the header: 428 PRECONDITION_REQUIRED, nothing revised): a copy made since the read would be dropped by a list that could not name it, so a stale version is 409 CONCURRENT_CHANGE; an empty list sends the answer without the others. At most 10 in all. A refused list (400, 404) changes nothing: neither the photos nor the text.",
  }),
});

/** The answer's version the revision was made from (its `version`), as moderation names a message's. */
const Headers = z.object({
  'if-match': z.string().optional().openapi({
    description:
      'the answer\'s `version` the revision was made from, e.g. "3"; a mismatch (a bot photo\'s copy made or given up since, another revision) answers 409 CONCURRENT_CHANGE with `details.expectedVersion` and `actualVersion`, and nothing is revised: read the answer again (a photo list read before a copy landed cannot name it and would drop it). Required with `mediaIds` (none: 428 PRECONDITION_REQUIRED); * skips the check, knowingly replacing whatever photos the answer has then; a revision of the text alone needs none',
    example: '"3"',
  }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'reviseAnswer',
  path: '/answers/{id}/revise',
  tags: ['answers'],
  summary: 'Revise a draft or returned answer; it goes back to the curator',
  ...access('answers.draft'),
  request: { params: IdParams, headers: Headers, body: jsonBody(Body) },
  responses: { 200: jsonContent(AnswerSchema, 'The revised answer, a draft again'), ...problems(400, 404, 409, 428) },
});

export function registerReviseAnswer(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { text, resolution, mediaIds } = c.req.valid('json');
    const ifMatch = c.req.valid('header')['if-match'];
    const version = expectedVersion(ifMatch);
    // A photo list made without naming its version would silently drop a bot photo's copy that
    // landed after the read (no list could name it then): such a revision must be conditional.
    if (mediaIds !== undefined && ifMatch === undefined) throw new DomainError('PRECONDITION_REQUIRED', { header: 'If-Match', field: 'mediaIds' });
    const answer = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const { message } = await answerInScope(trx, scope, id);
      const result = await reviseAnswer(trx, { answerId: id, text, resolution, mediaIds, expectedVersion: version, actor: staffActor(principal) }, now);
      return { result, audit: { action: 'answer.revise', entity: 'answer', entityId: id, municipalityId: message.municipalityId, data: { messageId: message.id, ...(mediaIds && { mediaIds }) } } };
    });
    return c.json(answerDto(answer), 200);
  });
}
