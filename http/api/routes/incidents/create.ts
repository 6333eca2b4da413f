import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { DomainError } from '../../../../core/errors.ts';
import { intakeIncident } from '../../../../core/incidents/incidents.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IncidentSchema, IntakeBody, incidentDto } from '../../schemas/incidents.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createIncident',
  path: '/incidents',
  tags: ['incidents'],
  summary: 'Take in an open-source item (OK, a media-monitoring system, a post found by hand)',
  description:
    'Idempotent by sourceUrl: the first intake answers 201, a repeat 200 with the same item and no change (409 ALREADY_EXISTS when another municipality took that URL in). A new item alerts the curators and moderators of the municipality. A postedAt more than 5 minutes ahead of the server clock is refused (400).',
  ...access('incidents.triage'),
  request: { body: jsonBody(IntakeBody) },
  responses: {
    201: jsonContent(IncidentSchema, 'The new item'),
    200: jsonContent(IncidentSchema, 'The item taken in before from the same URL'),
    ...problems(400, 404, 409),
  },
});

/** How far ahead of our clock a source's timestamp may be (its clock, not a post from the future). */
const CLOCK_SKEW_MS = 5 * 60_000;

export function registerCreateIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const { incident, created } = await audited(c, deps, async ({ trx, now, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const postedAt = new Date(body.postedAt);
      // The first-hour rule runs from postedAt: a date ahead would postpone the item's deadline.
      if (postedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new DomainError('VALIDATION', { field: 'postedAt', problem: 'in the future' });
      const result = await intakeIncident(trx, { ...body, postedAt, point: body.point ?? null }, now, scope);
      return {
        result,
        audit: {
          action: result.created ? 'incident.create' : 'incident.create_repeat',
          entity: 'incident',
          entityId: result.incident.id,
          municipalityId: body.municipalityId,
          data: { source: body.source, url: result.incident.sourceUrl },
        },
      };
    });
    return c.json(incidentDto(incident), created ? 201 : 200);
  });
}
