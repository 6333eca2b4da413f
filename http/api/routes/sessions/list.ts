import { createRoute, z } from '@hono/zod-openapi';
import { listSessions } from '../../../../core/console/sessions.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { SessionSchema, sessionDto } from './schema.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'listSessions',
  path: '/sessions',
  tags: ['staff and keys'],
  summary: "Live web-console sessions: your own (operators: everyone's)",
  ...access('sessions.manage'),
  request: { query: z.strictObject({}) },
  responses: { 200: jsonContent(z.object({ items: z.array(SessionSchema) }).openapi('ConsoleSessionList'), 'Sessions, newest first'), ...problems() },
});

export function registerListSessions(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const principal = c.get('principal');
    const items = await listSessions(deps.db, principal, deps.clock());
    return c.json({ items: items.map((s) => sessionDto(s, principal.keyId)) }, 200);
  });
}
