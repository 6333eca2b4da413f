import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createEvent } from '../../../../core/news/events.service.ts';
import { parseApiTime, timeZoneOf } from '../../../../core/news/local-time.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CreateEventBody, EventSchema, eventDto } from '../../schemas/news.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createEvent',
  path: '/events',
  tags: ['events'],
  summary: "Create an event of «Афиша» (a draft): culture or sport, times in the municipality's local time, the venue with its point",
  description: '400 VALIDATION names the field: endsAt not after startsAt, a venue point outside the municipality, a photo that is not an image.',
  ...access('news.write'),
  request: { body: jsonBody(CreateEventBody) },
  responses: { 201: jsonContent(EventSchema, 'The event'), ...problems(400, 404) },
});

export function registerCreateEvent(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const event = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const zone = await timeZoneOf(trx, body.municipalityId);
      const created = await createEvent(
        trx,
        {
          municipalityId: body.municipalityId,
          kind: body.kind,
          title: body.title,
          description: body.description ?? '',
          startsAt: parseApiTime(body.startsAt, zone, 'startsAt'),
          endsAt: parseApiTime(body.endsAt, zone, 'endsAt'),
          venue: body.venue,
          ageLimit: body.ageLimit ?? null,
          price: body.price ?? null,
          organiser: body.organiser ?? null,
          photoMediaId: body.photoMediaId ?? null,
          link: body.link ?? null,
          staffId: principal.staffId,
        },
        now,
      );
      return { result: created, audit: { action: 'event.create', entity: 'afisha_event', entityId: created.id, municipalityId: created.municipalityId, data: { kind: created.kind } } };
    });
    return c.json(eventDto(event), 201);
  });
}
