import { createRoute, z } from '@hono/zod-openapi';
import { moderateEntry } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { EntrySchema, entryDto } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';
import { contestInScope } from './scope.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
  entryId: Id.openapi({ param: { name: 'entryId', in: 'path' }, example: 1 }),
});
const Body = z.strictObject({ reason: z.string().trim().min(1).max(500) });

export const route = createRoute({
  method: 'post',
  operationId: 'rejectContestEntry',
  path: '/contests/{id}/entries/{entryId}/reject',
  tags: ['contests'],
  summary: 'Reject an entry with a reason; the author is told the reason',
  description: '409 ENTRY_ALREADY_MODERATED: it was accepted or rejected before.',
  ...access('contests.moderate'),
  request: { params: Params, body: jsonBody(Body) },
  responses: { 200: jsonContent(EntrySchema, 'The entry'), ...problems(400, 404, 409) },
});

export function registerRejectContestEntry(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id, entryId } = c.req.valid('param');
    const body = c.req.valid('json');
    const entry = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      const contest = await contestInScope(trx, scope, id);
      const moderated = await moderateEntry(trx, { contestId: id, entryId, decision: 'reject' as const, reason: body.reason, staffId: principal.staffId }, now);
      return { result: moderated, audit: { action: 'contest.entry.reject', entity: 'contest_entry', entityId: entryId, municipalityId: contest.municipalityId, data: { contestId: id } } };
    });
    return c.json(entryDto(entry), 200);
  });
}
