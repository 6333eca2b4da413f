import { createRoute } from '@hono/zod-openapi';
import { parseApiTime, timeZoneOf } from '../../../../core/news/local-time.ts';
import { updateNews } from '../../../../core/news/news.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { NewsSchema, newsDto, UpdateNewsBody } from '../../schemas/news.ts';
import { audited } from '../../write.ts';
import { newsInScope } from './scope.ts';

export const route = createRoute({
  method: 'patch',
  operationId: 'updateNews',
  path: '/news/{id}',
  tags: ['news'],
  summary: 'Edit a news item (an edit after publication is stamped and audited; archived items are read-only)',
  description: 'publishAt schedules a draft (null turns it back into a draft). Residents who already got the broadcast are not sent it again; those it has not reached yet get the edited item.',
  ...access('news.write'),
  request: { params: IdParams, body: jsonBody(UpdateNewsBody) },
  responses: { 200: jsonContent(NewsSchema, 'The item'), ...problems(400, 404, 409) },
});

export function registerUpdateNews(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const item = await audited(c, deps, async ({ trx, scope, now }) => {
      const before = await newsInScope(trx, scope, id);
      const zone = await timeZoneOf(trx, before.municipalityId);
      const { publishAt, ...rest } = body;
      const { item: updated, changed } = await updateNews(
        trx,
        id,
        { ...rest, ...(publishAt !== undefined && { publishAt: publishAt === null ? null : parseApiTime(publishAt, zone, 'publishAt') }) },
        now,
      );
      const action = before.state === 'published' ? 'news.edit_published' : 'news.update';
      const audit = { action, entity: 'news_item', entityId: id, municipalityId: updated.municipalityId, data: { changed, state: updated.state } };
      return { result: updated, audit: changed.length > 0 ? audit : null };
    });
    return c.json(newsDto(item), 200);
  });
}
