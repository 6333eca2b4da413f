import { createRoute } from '@hono/zod-openapi';
import { pollInput, updatePoll } from '../../../../core/polls/polls.ts';
import { mediaInScope } from '../../../../core/media/media.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { PollSchema, pollDto, UpdatePollBody } from '../../schemas/polls.ts';
import { audited, editAudit } from '../../write.ts';
import { pollInScope } from './scope.ts';

export const route = createRoute({
  method: 'patch',
  operationId: 'updatePoll',
  path: '/polls/{id}',
  tags: ['polls'],
  summary: 'Change a draft poll (questions, when given, replace the old ones)',
  description: '409 POLL_NOT_DRAFT once it is published: a published poll can only be closed early.',
  ...access('polls.write'),
  request: { params: IdParams, body: jsonBody(UpdatePollBody) },
  responses: { 200: jsonContent(PollSchema, 'The draft'), ...problems(400, 404, 409) },
});

export function registerUpdatePoll(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const poll = await audited(c, deps, async ({ trx, scope, now }) => {
      const before = await pollInScope(trx, scope, id);
      if (body.mediaId != null) await mediaInScope(trx, scope, body.mediaId);
      const updated = await updatePoll(
        trx,
        id,
        { ...body, startsAt: body.startsAt === undefined ? undefined : new Date(body.startsAt), endsAt: body.endsAt === undefined ? undefined : new Date(body.endsAt) },
        now,
      );
      // Compared as written: questions given again get new ids, yet are the same questions.
      const audit = editAudit(pollInput(before), pollInput(updated), (fields) => ({ action: 'poll.update', entity: 'poll', entityId: id, municipalityId: before.municipalityId, data: { fields } }));
      return { result: updated, audit };
    });
    return c.json(pollDto(poll), 200);
  });
}
