import { createRoute, z } from '@hono/zod-openapi';
import { publishEvent } from '../../../../core/news/events.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { EventSchema, eventDto } from '../../schemas/news.ts';
import { audited } from '../../write.ts';
import { eventInScope } from '../news/scope.ts';

const Body = z.strictObject({});

export const route = createRoute({
  method: 'post',
  operationId: 'publishEvent',
  path: '/events/{id}/publish',
  tags: ['events'],
  summary: 'Publish an event: it appears in «Афиша» and is broadcast to residents subscribed to its kind',
  description: 'The broadcast carries the photo, the venue as a location and a "Remind me" button. 409 ILLEGAL_TRANSITION unless it is a draft.',
  ...access('news.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: Body } } } },
  responses: { 200: jsonContent(EventSchema, 'The event'), ...problems(400, 404, 409) },
});

export function registerPublishEvent(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const event = await audited(c, deps, async ({ trx, scope, now, principal }) => {
      await eventInScope(trx, scope, id);
      const published = await publishEvent(trx, id, now, principal.staffId);
      return { result: published, audit: { action: 'event.publish', entity: 'afisha_event', entityId: id, municipalityId: published.municipalityId, data: { broadcastId: published.broadcastId } } };
    });
    return c.json(eventDto(event), 200);
  });
}
