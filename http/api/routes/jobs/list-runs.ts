import { createRoute, z } from '@hono/zod-openapi';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { latestJobRuns, listJobRuns } from '../../../../core/jobs/job-runs.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, PageQuery, pageOf, problems, QueryBoolean } from '../../schemas/common.ts';
import { JobRunSchema, jobRunDto } from '../../schemas/officials.ts';

const Query = z.strictObject({
  job: z.string().max(64).optional().openapi({ example: 'overdue' }),
  outcome: z.enum(['running', 'ok', 'skipped', 'error']).optional(),
  since: z.iso.datetime({ offset: true }).optional().openapi({ description: 'runs started at or after this instant' }),
  latest: QueryBoolean.optional().openapi({ description: 'true: only the latest run of each job (a status board); other filters are ignored' }),
  ...PageQuery,
});

export const route = createRoute({
  method: 'get',
  operationId: 'listJobRuns',
  path: '/jobs/runs',
  tags: ['alerts and jobs'],
  summary: 'Cron job runs, newest first: when each job ran, on which instance, how it ended and what it counted',
  ...access('jobs.read'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(JobRunSchema, 'JobRunPage'), 'A page of runs'), ...problems(400) },
});

export function registerListJobRuns(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { latest, since, cursor, limit, ...filter } = c.req.valid('query');
    if (latest) return c.json({ items: (await latestJobRuns(deps.db)).map(jobRunDto), nextCursor: null }, 200);
    const size = pageSize(limit);
    const rows = await listJobRuns(deps.db, { ...filter, since: since ? new Date(since) : undefined, beforeId: idCursor(cursor), limit: size + 1 });
    return c.json(toPage(rows, size, jobRunDto, (r) => ({ v: null, id: r.id })), 200);
  });
}
