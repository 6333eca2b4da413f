import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { createPoll } from '../../../../core/polls/polls.ts';
import { mediaInScope } from '../../../../core/media/media.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CreatePollBody, PollSchema, pollDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createPoll',
  path: '/polls',
  tags: ['polls'],
  summary: 'Create a poll or a vote (a draft)',
  description:
    '1–20 questions; choice questions have 2–10 options, multiple choice a maximum of choices, free text takes up to 1000 characters. ' +
    'The end is after the start and at most 90 days later. A vote has one single-choice question. Only operators create region-wide polls (municipalityId null).',
  ...access('polls.write'),
  request: { body: jsonBody(CreatePollBody) },
  responses: { 201: jsonContent(PollSchema, 'The draft'), ...problems(400, 404) },
});

export function registerCreatePoll(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const poll = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      if (body.municipalityId === null && scope.municipalityId !== null) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: null });
      await municipalityInScope(trx, scope, body.municipalityId);
      if (body.mediaId != null) await mediaInScope(trx, scope, body.mediaId);
      const created = await createPoll(trx, { ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) }, principal.staffId, now);
      return {
        result: created,
        audit: { action: 'poll.create', entity: 'poll', entityId: created.id, municipalityId: created.municipalityId, data: { kind: created.kind, questions: created.questions.length } },
      };
    });
    return c.json(pollDto(poll), 201);
  });
}
