import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { scopeOf } from '../../../../core/access/scope.ts';
import { listEntries } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { ContestSchema, contestDto, EntrySchema, entryDto } from '../../schemas/contests.ts';
import { contestInScope } from './scope.ts';

const Query = z.strictObject({
  format: z.enum(['json', 'csv']).default('json').openapi({ description: 'csv: one line per accepted entry (UTF-8 with a BOM, formulas escaped)' }),
});

const ResultsSchema = z
  .object({
    contest: ContestSchema,
    entries: z.array(EntrySchema).openapi({ description: 'accepted entries: by rank when ranked (audience_vote), else winners first then by id' }),
    winners: z.array(z.number().int()).openapi({ description: 'winning entry ids, first place first' }),
  })
  .openapi('ContestResults');

export const route = createRoute({
  method: 'get',
  operationId: 'getContestResults',
  path: '/contests/{id}/results',
  tags: ['contests'],
  summary: "A contest's accepted entries with votes, ranking and winners",
  ...access('contests.read'),
  request: { params: IdParams, query: Query },
  responses: {
    200: { description: 'The results', content: { 'application/json': { schema: ResultsSchema }, 'text/csv': { schema: z.string() } } },
    ...problems(400, 404),
  },
});

export function registerContestResults(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { format } = c.req.valid('query');
    const contest = await contestInScope(deps.db, scopeOf(c.get('principal')), id);
    const entries = (await listEntries(deps.db, id, { states: ['accepted'] })).sort(
      (a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || (a.winnerPlace ?? 1e9) - (b.winnerPlace ?? 1e9) || a.id - b.id,
    );
    const winners = entries.filter((e) => e.winnerPlace !== null).sort((a, b) => a.winnerPlace! - b.winnerPlace!);
    if (format === 'csv') {
      const rows = entries.map((e) => [e.id, e.mediaKind, e.votes, e.rank ?? '', e.winnerPlace ?? '', e.caption, e.createdAt.toISOString()]);
      // The library's escaping, as every other export: a hand-written one let fullwidth ＝＋－＠ formulas through.
      const csv = stringify([['entryId', 'mediaKind', 'votes', 'rank', 'winnerPlace', 'caption', 'createdAt'], ...rows], { bom: true, escape_formulas: true });
      return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="contest-${id}-results.csv"` });
    }
    return c.json({ contest: contestDto(contest), entries: entries.map(entryDto), winners: winners.map((w) => w.id) }, 200);
  });
}
