import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { parseApiTime, timeZoneOf } from '../../../../core/news/local-time.ts';
import { createNews } from '../../../../core/news/news.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CreateNewsBody, NewsSchema, newsDto } from '../../schemas/news.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createNews',
  path: '/news',
  tags: ['news'],
  summary: 'Create a news item: a draft, or scheduled when publishAt is given',
  description:
    'A scheduled item is published by cron at its time and broadcast to the residents of its area subscribed to news. ' +
    'Up to 10 images or one video (400 naming mediaIds); curators and moderators write for their municipality, operators also for the region (municipalityId null).',
  ...access('news.write'),
  request: { body: jsonBody(CreateNewsBody) },
  responses: { 201: jsonContent(NewsSchema, 'The item'), ...problems(400, 404) },
});

export function registerCreateNews(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const item = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      if (body.municipalityId === null && scope.municipalityId !== null) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: null });
      await municipalityInScope(trx, scope, body.municipalityId);
      const zone = await timeZoneOf(trx, body.municipalityId);
      const created = await createNews(
        trx,
        {
          municipalityId: body.municipalityId,
          title: body.title,
          body: body.body,
          categoryId: body.categoryId ?? null,
          mediaIds: body.mediaIds ?? [],
          link: body.link ?? null,
          pollId: body.pollId ?? null,
          publishAt: body.publishAt ? parseApiTime(body.publishAt, zone, 'publishAt') : null,
          staffId: principal.staffId,
        },
        now,
      );
      return {
        result: created,
        audit: { action: 'news.create', entity: 'news_item', entityId: created.id, municipalityId: created.municipalityId, data: { state: created.state, pollId: created.pollId } },
      };
    });
    return c.json(newsDto(item), 201);
  });
}
