import { createRoute } from '@hono/zod-openapi';
import { updateEvent } from '../../../../core/news/events.service.ts';
import { parseApiTime, timeZoneOf } from '../../../../core/news/local-time.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { EventSchema, eventDto, UpdateEventBody } from '../../schemas/news.ts';
import { audited } from '../../write.ts';
import { eventInScope } from '../news/scope.ts';

export const route = createRoute({
  method: 'patch',
  operationId: 'updateEvent',
  path: '/events/{id}',
  tags: ['events'],
  summary: 'Edit an event (a cancelled one is read-only); a new start time moves the reminders not yet sent',
  description: 'Residents who already got the announcement are not sent it again; those it has not reached yet get the edited event.',
  ...access('news.write'),
  request: { params: IdParams, body: jsonBody(UpdateEventBody) },
  responses: { 200: jsonContent(EventSchema, 'The event'), ...problems(400, 404, 409) },
});

export function registerUpdateEvent(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const event = await audited(c, deps, async ({ trx, scope, now }) => {
      const before = await eventInScope(trx, scope, id);
      const zone = await timeZoneOf(trx, before.municipalityId);
      const { startsAt, endsAt, ...rest } = body;
      const { event: updated, changed } = await updateEvent(
        trx,
        id,
        { ...rest, ...(startsAt !== undefined && { startsAt: parseApiTime(startsAt, zone, 'startsAt') }), ...(endsAt !== undefined && { endsAt: parseApiTime(endsAt, zone, 'endsAt') }) },
        now,
      );
      return {
        result: updated,
        audit:
          changed.length > 0
            ? { action: before.state === 'published' ? 'event.edit_published' : 'event.update', entity: 'afisha_event', entityId: id, municipalityId: updated.municipalityId, data: { changed } }
            : null,
      };
    });
    return c.json(eventDto(event), 200);
  });
}
