import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { pollResults, resultsCsv } from '../../../../core/polls/results.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { PollResultsSchema, pollResultsDto } from '../../schemas/polls.ts';
import { pollInScope } from './scope.ts';

const Query = z.strictObject({
  format: z.enum(['json', 'csv']).default('json').openapi({ description: 'csv: UTF-8 with a BOM, formulas escaped' }),
});

export const route = createRoute({
  method: 'get',
  operationId: 'getPollResults',
  path: '/polls/{id}/results',
  tags: ['polls'],
  summary: "A poll's results: counts and percentages per option, voters, turnout, free-text answers (without authors)",
  description: 'Aggregates only: no route tells who chose what (the answers are stored without their ballot).',
  ...access('polls.read'),
  request: { params: IdParams, query: Query },
  responses: {
    200: { description: 'The results', content: { 'application/json': { schema: PollResultsSchema }, 'text/csv': { schema: z.string() } } },
    ...problems(400, 404),
  },
});

export function registerPollResults(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { format } = c.req.valid('query');
    await pollInScope(deps.db, scopeOf(c.get('principal')), id);
    const results = await pollResults(deps.db, id, { withTexts: true });
    if (format === 'csv') {
      return c.body(resultsCsv(results), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="poll-${id}-results.csv"` });
    }
    return c.json(pollResultsDto(results), 200);
  });
}
