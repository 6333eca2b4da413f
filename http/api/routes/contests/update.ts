import { createRoute } from '@hono/zod-openapi';
import { timeZoneOf, updateContest } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto, contestFields, UpdateContestBody } from '../../schemas/contests.ts';
import { audited, editAudit } from '../../write.ts';
import { contestInScope } from './scope.ts';

export const route = createRoute({
  method: 'patch',
  operationId: 'updateContest',
  path: '/contests/{id}',
  tags: ['contests'],
  summary: "Change a draft contest's attributes (null clears one)",
  description: '409 CONTEST_WRONG_STATE once published: the published terms are a promise to residents.',
  ...access('contests.write'),
  request: { params: IdParams, body: jsonBody(UpdateContestBody) },
  responses: { 200: jsonContent(ContestSchema, 'The contest'), ...problems(400, 404, 409) },
});

export function registerUpdateContest(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const contest = await audited(c, deps, async ({ trx, scope, now }) => {
      const existing = await contestInScope(trx, scope, id);
      const updated = await updateContest(trx, id, contestFields(body, await timeZoneOf(trx, existing.municipalityId)), now);
      const audit = editAudit(existing, updated, (fields) => ({ action: 'contest.update', entity: 'contest', entityId: id, municipalityId: existing.municipalityId, data: { fields } }));
      return { result: updated, audit };
    });
    return c.json(contestDto(contest), 200);
  });
}
