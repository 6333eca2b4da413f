import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { MEDIA_MIME_TYPES } from '../../../../core/media/sniff.ts';
import { mediaInScope, readMedia } from '../../../../core/media/media.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { fileHeaders, requireStore } from './store.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getMedia',
  path: '/media/{id}',
  tags: ['media'],
  summary: 'The bytes of a stored file',
  description: "Files of the key's municipality (operators: all); others answer 404.",
  ...access('media.read'),
  request: { params: IdParams },
  responses: {
    // Served as the type sniffed at upload (MEDIA_MIME_TYPES), never as a generic octet stream.
    200: {
      description: 'The file, as the type found in its bytes at upload',
      content: Object.fromEntries(MEDIA_MIME_TYPES.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }])),
    },
    ...problems(400, 404),
  },
});

export function registerGetMedia(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await mediaInScope(deps.db, scopeOf(c.get('principal')), id);
    const { media, bytes } = await readMedia(deps.db, requireStore(deps).store, id);
    return c.body(bytes.slice().buffer, 200, fileHeaders(media.mime));
  });
}
