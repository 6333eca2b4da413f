import { createRoute, z } from '@hono/zod-openapi';
import { dismissIncident } from '../../../../core/incidents/incidents.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, staffActor } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IncidentWithPhotosSchema, withPhotoCopies } from '../../schemas/incidents.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ reason: z.string().max(1000).openapi({ description: 'why it needs no answer (kept; dismissed items count in no KPI)' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'dismissIncident',
  path: '/incidents/{id}/dismiss',
  tags: ['incidents'],
  summary: 'Dismiss an item with a reason',
  ...access('incidents.triage'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(IncidentWithPhotosSchema, 'The dismissed item (its photos still waiting are no longer copied: not_copied)'), ...problems(400, 404, 409) },
});

export function registerDismissIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const incident = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const dismissed = await dismissIncident(trx, scope, { incidentId: id, reason, actor: staffActor(principal) }, now);
      const [result] = await withPhotoCopies(trx, [dismissed]);
      return { result: result!, audit: { action: 'incident.dismiss', entity: 'incident', entityId: id, municipalityId: dismissed.municipalityId } };
    });
    return c.json(incident, 200);
  });
}
