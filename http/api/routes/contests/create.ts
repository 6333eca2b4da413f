import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createContest, timeZoneOf } from '../../../../core/contests/contests.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto, contestFields, CreateContestBody } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createContest',
  path: '/contests',
  tags: ['contests'],
  summary: 'Create a contest (a draft): attributes may be filled in later, all are required to publish',
  description:
    "Dates are date-times with an offset (exact), or plain dates in the municipality's time zone: entriesTo and votingTo through the end of that day (23:59:59.999), the others from its start (00:00). Region-wide contests (municipalityId null): operators only.",
  ...access('contests.write'),
  request: { body: jsonBody(CreateContestBody) },
  responses: { 201: jsonContent(ContestSchema, 'The draft'), ...problems(400, 404) },
});

export function registerCreateContest(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, ...body } = c.req.valid('json');
    const contest = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      if (municipalityId === null && scope.municipalityId !== null) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: null });
      await municipalityInScope(trx, scope, municipalityId);
      if (municipalityId !== null && !(await trx.selectFrom('municipality').select('id').where('id', '=', municipalityId).executeTakeFirst()))
        throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: municipalityId });
      const fields = contestFields(body, await timeZoneOf(trx, municipalityId));
      const created = await createContest(trx, { municipalityId, createdByStaffId: principal.staffId, ...fields }, now);
      return { result: created, audit: { action: 'contest.create', entity: 'contest', entityId: created.id, municipalityId, data: { fields: Object.keys(body) } } };
    });
    return c.json(contestDto(contest), 201);
  });
}
