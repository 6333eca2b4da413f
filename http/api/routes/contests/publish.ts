import { createRoute, z } from '@hono/zod-openapi';
import { publishContest } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';
import { contestInScope } from './scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'publishContest',
  path: '/contests/{id}/publish',
  tags: ['contests'],
  summary: 'Publish a draft contest: announced to residents subscribed to contests; the cron then opens entries and voting on their dates',
  description:
    '422 CONTEST_INCOMPLETE lists every missing attribute (details.missing); 422 CONTEST_TOO_LONG: from the start of entries to the results date ' +
    "more than one month (KPI 10, counted in the municipality's time zone); 422 CONTEST_DATES_INVALID: dates out of order (details.field the later one; voting may not open before entries end, nor end after the results date); 400 VALIDATION (field entriesTo): entries closed already; 409 CONTEST_WRONG_STATE: not a draft.",
  ...access('contests.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(ContestSchema, 'The contest, published'), ...problems(400, 404, 409, 422) },
});

export function registerPublishContest(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const contest = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      const existing = await contestInScope(trx, scope, id);
      const published = await publishContest(trx, id, now, principal.staffId);
      return { result: published, audit: { action: 'contest.publish', entity: 'contest', entityId: id, municipalityId: existing.municipalityId } };
    });
    return c.json(contestDto(contest), 200);
  });
}
