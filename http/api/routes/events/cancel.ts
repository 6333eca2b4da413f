import { createRoute, z } from '@hono/zod-openapi';
import { cancelEvent } from '../../../../core/news/events.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { EventSchema, eventDto } from '../../schemas/news.ts';
import { audited } from '../../write.ts';
import { eventInScope } from '../news/scope.ts';

const Body = z.strictObject({ reason: z.string().trim().min(1).max(500).optional().openapi({ description: 'told to residents who asked for a reminder' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'cancelEvent',
  path: '/events/{id}/cancel',
  tags: ['events'],
  summary: 'Cancel an event: reminders not yet sent are dropped and every resident who asked for one is told (no one, once it is over)',
  ...access('news.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(EventSchema.extend({ told: z.number().int() }).openapi('CancelledEvent'), 'The event, and how many residents were told'), ...problems(400, 404, 409) },
});

export function registerCancelEvent(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = (c.req.valid('json') as z.infer<typeof Body> | undefined) ?? {};
    const result = await audited(c, deps, async ({ trx, scope, now }) => {
      await eventInScope(trx, scope, id);
      const cancelled = await cancelEvent(trx, id, body.reason ?? null, now);
      return { result: cancelled, audit: { action: 'event.cancel', entity: 'afisha_event', entityId: id, municipalityId: cancelled.event.municipalityId, data: { told: cancelled.told } } };
    });
    return c.json({ ...eventDto(result.event), told: result.told }, 200);
  });
}
