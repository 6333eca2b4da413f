import { createRoute, z } from '@hono/zod-openapi';
import { listKeys } from '../../../../core/access/api-keys.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, PageQuery, QueryBoolean, jsonContent, pageOf, problems } from '../../schemas/common.ts';
import { ApiKeySchema, apiKeyDto } from '../../schemas/directory.ts';

const Query = z.strictObject({ staffId: Id.optional(), active: QueryBoolean.optional(), ...PageQuery });

export const route = createRoute({
  method: 'get',
  operationId: 'listKeys',
  path: '/keys',
  tags: ['staff and keys'],
  summary: 'API keys (prefix and usage only, never the key itself)',
  ...access('keys.manage'),
  request: { query: Query },
  responses: { 200: jsonContent(pageOf(ApiKeySchema, 'ApiKeyPage'), 'A page of keys'), ...problems(400) },
});

export function registerListKeys(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { cursor, limit, ...filter } = c.req.valid('query');
    const page = await listKeys(deps.db, filter, { cursor, limit });
    return c.json({ items: page.items.map(apiKeyDto), nextCursor: page.nextCursor }, 200);
  });
}
