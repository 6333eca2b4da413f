import { createRoute, z } from '@hono/zod-openapi';
import { moderateEntry } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { EntrySchema, entryDto } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';
import { contestInScope } from './scope.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
  entryId: Id.openapi({ param: { name: 'entryId', in: 'path' }, example: 1 }),
});
const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'acceptContestEntry',
  path: '/contests/{id}/entries/{entryId}/accept',
  tags: ['contests'],
  summary: 'Accept an entry: it joins the gallery; the author is told',
  description: '409 ENTRY_ALREADY_MODERATED: it was accepted or rejected before.',
  ...access('contests.moderate'),
  request: { params: Params, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(EntrySchema, 'The entry'), ...problems(400, 404, 409) },
});

export function registerAcceptContestEntry(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id, entryId } = c.req.valid('param');
    const entry = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      const contest = await contestInScope(trx, scope, id);
      const moderated = await moderateEntry(trx, { contestId: id, entryId, decision: 'accept' as const, staffId: principal.staffId }, now);
      return { result: moderated, audit: { action: 'contest.entry.accept', entity: 'contest_entry', entityId: entryId, municipalityId: contest.municipalityId, data: { contestId: id } } };
    });
    return c.json(entryDto(entry), 200);
  });
}
