import { createRoute, z } from '@hono/zod-openapi';
import { messageInScope, scopeOf } from '../../../../core/access/scope.ts';
import { DomainError, isDomainError } from '../../../../core/errors.ts';
import { readMedia } from '../../../../core/media/media.repository.ts';
import { getPhotoRef } from '../../../../core/messages/message-photos.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { problemResponse } from '../../problem.ts';
import { access } from '../../route-kit.ts';
import { Id, problems, urlInteger } from '../../schemas/common.ts';
import { fileHeaders } from '../media/store.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' } }),
  index: urlInteger(0, 99).openapi({ param: { name: 'index', in: 'path' }, description: 'position in the card\'s photos' }),
});

export const route = createRoute({
  method: 'get',
  operationId: 'getMessagePhoto',
  path: '/messages/{id}/photos/{index}',
  tags: ['messages'],
  summary: 'The bytes of one photo of a message',
  description:
    "Served from the media store once the photo is copied there (after filing, whatever messenger it came through); until then a Telegram photo is fetched by its file id on first use and served from the cache. A photo of an open-source item (a VK wall post) is served only from its copy (404 until it is made).",
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
    if (photo.mediaId !== null && deps.media) {
      const stored = await readMedia(deps.db, deps.media.store, photo.mediaId).catch((error: unknown) => {
        // The row without its bytes (a store restored from an older backup): the messenger may still have them.
        if (isDomainError(error, 'MEDIA_NOT_FOUND')) return undefined;
        throw error;
      });
      if (stored) return c.body(stored.bytes.slice().buffer, 200, fileHeaders(stored.media.mime));
    }
    // An open-source photo has no messenger file: only its copy, once made.
    if (photo.fileId === null) throw new DomainError('PHOTO_NOT_FOUND', { messageId: id, index, reason: 'not copied yet' });
    const fetcher = deps.photos[photo.channel];
    if (!fetcher) return problemResponse(c, { status: 503, code: 'CHANNEL_DISABLED', detail: `the ${photo.channel} channel is not configured` });
    const { bytes, contentType } = await fetcher.fetch(photo.fileId);
    return c.body(bytes.slice().buffer, 200, fileHeaders(contentType));
  });
}

