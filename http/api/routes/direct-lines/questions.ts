import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { scopeOf } from '../../../../core/access/scope.ts';
import { idCursor, pageSize, toPage } from '../../../../core/db/pagination.ts';
import { listQuestions, type DirectLineQuestion } from '../../../../core/polls/direct-line.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, IdParams, PageQuery, pageOf, problems, QueryBoolean } from '../../schemas/common.ts';
import { DirectLineQuestionSchema, questionDto } from '../../schemas/polls.ts';
import { directLineInScope } from './scope.ts';

const Query = z.strictObject({
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'words the question contains (case-insensitive)' }),
  selected: QueryBoolean.optional(),
  answered: QueryBoolean.optional(),
  categoryId: Id.optional(),
  format: z.enum(['json', 'csv']).default('json').openapi({ description: 'csv: every matching question (no paging), UTF-8 with a BOM, formulas escaped' }),
  ...PageQuery,
});

const CSV_MAX = 100_000;

function questionsCsv(rows: DirectLineQuestion[]): string {
  return stringify(
    rows.map((q) => [q.id, q.createdAt.toISOString(), q.channel, q.categoryId ?? '', q.selected ? 'yes' : 'no', q.text, q.answerText ?? '', q.answeredAt?.toISOString() ?? '']),
    { header: true, columns: ['id', 'created_at', 'channel', 'category_id', 'selected', 'question', 'answer', 'answered_at'], bom: true, escape_formulas: true, record_delimiter: 'windows' },
  );
}

export const route = createRoute({
  method: 'get',
  operationId: 'listDirectLineQuestions',
  path: '/direct-lines/{id}/questions',
  tags: ['direct lines'],
  summary: "A campaign's questions, oldest first (JSON, or CSV with ?format=csv); the authors are never shown",
  ...access('direct_lines.read'),
  request: { params: IdParams, query: Query },
  responses: {
    200: { description: 'The questions', content: { 'application/json': { schema: pageOf(DirectLineQuestionSchema, 'DirectLineQuestionPage') }, 'text/csv': { schema: z.string() } } },
    ...problems(400, 404),
  },
});

export function registerListDirectLineQuestions(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { q, selected, answered, categoryId, format, cursor, limit } = c.req.valid('query');
    await directLineInScope(deps.db, scopeOf(c.get('principal')), id);
    const filter = { q, selected, answered, categoryId };
    if (format === 'csv') {
      const rows = await listQuestions(deps.db, id, { ...filter, limit: CSV_MAX });
      return c.body(questionsCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="direct-line-${id}-questions.csv"` });
    }
    const size = pageSize(limit);
    const rows = await listQuestions(deps.db, id, { ...filter, afterId: idCursor(cursor), limit: size + 1 });
    return c.json(
      toPage(rows, size, questionDto, (r) => ({ v: null, id: r.id })),
      200,
    );
  });
}
