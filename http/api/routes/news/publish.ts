import { createRoute, z } from '@hono/zod-openapi';
import { parseApiTime, timeZoneOf } from '../../../../core/news/local-time.ts';
import { publishNews, scheduleNews } from '../../../../core/news/news.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { ApiTime, NewsSchema, newsDto } from '../../schemas/news.ts';
import { audited } from '../../write.ts';
import { newsInScope } from './scope.ts';

const Body = z.strictObject({ publishAt: ApiTime.optional().openapi({ description: 'a future time: schedule instead of publishing now' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'publishNews',
  path: '/news/{id}/publish',
  tags: ['news'],
  summary: 'Publish a draft or scheduled item now (or schedule it for publishAt)',
  description: 'Publishing broadcasts the item to the residents of its area subscribed to news, once. 409 ILLEGAL_TRANSITION for a published or archived item.',
  ...access('news.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(NewsSchema, 'The item'), ...problems(400, 404, 409) },
});

export function registerPublishNews(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = (c.req.valid('json') as z.infer<typeof Body> | undefined) ?? {};
    const item = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      const before = await newsInScope(trx, scope, id);
      if (body.publishAt) {
        const at = parseApiTime(body.publishAt, await timeZoneOf(trx, before.municipalityId), 'publishAt');
        const scheduled = await scheduleNews(trx, id, at, now);
        return { result: scheduled, audit: { action: 'news.schedule', entity: 'news_item', entityId: id, municipalityId: scheduled.municipalityId, data: { publishAt: at.toISOString() } } };
      }
      const published = await publishNews(trx, id, now, principal.staffId);
      return { result: published, audit: { action: 'news.publish', entity: 'news_item', entityId: id, municipalityId: published.municipalityId, data: { broadcastId: published.broadcastId } } };
    });
    return c.json(newsDto(item), 200);
  });
}
