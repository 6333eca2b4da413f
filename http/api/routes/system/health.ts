import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';

const Count = z.number().int().min(0);
const SystemHealthSchema = z
  .object({
    ready: z.boolean().openapi({ description: 'what GET /health/ready answers: migrations applied, not stopping, database answering' }),
    stopping: z.boolean(),
    database: z.object({
      kind: z.enum(['postgres', 'pglite']),
      up: z.boolean(),
      pool: z.object({ total: Count, idle: Count, waiting: Count, max: Count }).optional().openapi({ description: 'PostgreSQL only' }),
    }),
    migrations: z.object({ applied: Count, pending: Count }),
    channels: z.object({ telegram: z.boolean(), vk: z.boolean() }),
    outboxSending: z.boolean().openapi({ description: 'this instance runs outbox senders (it sends while it leads for a token)' }),
    cron: z.boolean(),
    uptimeSeconds: Count,
    webhooksInFlight: Count,
  })
  .openapi('SystemHealth');

export const route = createRoute({
  method: 'get',
  operationId: 'getSystemHealth',
  path: '/system/health',
  tags: ['alerts and jobs'],
  summary: "This instance's health in detail (the public /health only answers 200 or 503)",
  ...access('system.read'),
  request: { query: z.strictObject({}) },
  responses: { 200: jsonContent(SystemHealthSchema, 'The state of the instance that answered'), ...problems() },
});

export function registerSystemHealth(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    if (!deps.systemHealth) throw new Error('systemHealth is not wired');
    return c.json(await deps.systemHealth(), 200);
  });
}
