import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope, scopeOf } from '../../../../core/access/scope.ts';
import { getPhotoRef } from '../../../../core/messages/message-photos.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { problemResponse } from '../../problem.ts';
import { access } from '../../route-kit.ts';
import { Id, problems, urlInteger } from '../../schemas/common.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' } }),
  index: urlInteger(0, 99).openapi({ param: { name: 'index', in: 'path' }, description: 'position in the card\'s photos' }),
});

export const route = createRoute({
  method: 'get',
  path: '/messages/{id}/photos/{index}',
  tags: ['messages'],
  summary: 'The bytes of one photo of a message',
  description: 'Fetched from the messenger by file id on first use, then served from the cache.',
  ...access('messages.read'),
  request: { params: Params },
  responses: {
    200: { description: 'The photo', content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...problems(400, 404, 502, 503),
  },
});

export function registerGetMessagePhoto(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id, index } = c.req.valid('param');
    await messageInScope(deps.db, scopeOf(c.get('principal')), id);
    const photo = await getPhotoRef(deps.db, id, index);
    const fetcher = deps.photos[photo.channel];
    if (!fetcher) return problemResponse(c, { status: 503, code: 'CHANNEL_DISABLED', detail: `the ${photo.channel} channel is not configured` });
    const { bytes, contentType } = await fetcher.fetch(photo.fileId);
    return c.body(bytes.slice().buffer, 200, {
      'content-type': contentType,
      // The bytes behind a file id never change; only the key holder may see them.
      'cache-control': 'private, max-age=86400, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
}
