import { createRoute, z } from '@hono/zod-openapi';
import { drawRecord, runDraw } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { DrawSchema, drawDto } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';
import { contestInScope } from './scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'runContestDraw',
  path: '/contests/{id}/draw',
  tags: ['contests'],
  summary: 'random_draw contests: reveal the seed and draw the winners now (after entries close; the cron does it at votingTo otherwise)',
  description: '409 DRAW_NOT_AVAILABLE: not a random_draw contest, already drawn, or entries still open.',
  ...access('contests.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(DrawSchema, 'The draw: commitment, seed, candidates, winners'), ...problems(400, 404, 409) },
});

export function registerRunContestDraw(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const record = await audited(c, deps, async ({ trx, scope, now }) => {
      const existing = await contestInScope(trx, scope, id);
      const contest = await runDraw(trx, id, now);
      const draw = await drawRecord(trx, contest);
      return { result: draw, audit: { action: 'contest.draw', entity: 'contest', entityId: id, municipalityId: existing.municipalityId, data: { winners: draw.winners } } };
    });
    return c.json(drawDto(record), 200);
  });
}
