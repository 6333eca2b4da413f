import { createRoute, z } from '@hono/zod-openapi';
import { chooseJuryWinners, listEntries } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto, EntrySchema, entryDto } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';
import { contestInScope } from './scope.ts';

const Body = z.strictObject({
  entryIds: z.array(BodyId).min(1).max(100).openapi({ description: 'accepted entries of the contest, first place first (at most winnersCount)' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'chooseContestWinners',
  path: '/contests/{id}/winners',
  tags: ['contests'],
  summary: 'Jury contests: the officials name the winners (after entries close, before results are published)',
  description: '409 CONTEST_WRONG_STATE: not a jury contest, entries still open, or results already published. The cron publishes the results on resultsOn.',
  ...access('contests.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: {
    200: jsonContent(z.object({ contest: ContestSchema, winners: z.array(EntrySchema) }).openapi('ContestWinners'), 'The contest and its winners'),
    ...problems(400, 404, 409),
  },
});

export function registerChooseContestWinners(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { entryIds } = c.req.valid('json');
    const result = await audited(c, deps, async ({ trx, scope, now }) => {
      const existing = await contestInScope(trx, scope, id);
      const contest = await chooseJuryWinners(trx, id, entryIds, now);
      const winners = (await listEntries(trx, id, { states: ['accepted'] })).filter((e) => e.winnerPlace !== null).sort((a, b) => a.winnerPlace! - b.winnerPlace!);
      return { result: { contest, winners }, audit: { action: 'contest.winners', entity: 'contest', entityId: id, municipalityId: existing.municipalityId, data: { entryIds } } };
    });
    return c.json({ contest: contestDto(result.contest), winners: result.winners.map(entryDto) }, 200);
  });
}
