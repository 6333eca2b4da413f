import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope } from '../../../../core/access/scope.ts';
import { acceptIncident } from '../../../../core/incidents/incidents.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access, staffActor } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { IncidentWithPhotosSchema, PointSchema, withPhotoCopies } from '../../schemas/incidents.ts';
import { MessageSchema, messageDto } from '../../schemas/message.ts';

import { audited } from '../../write.ts';

const Body = z.strictObject({
  municipalityId: BodyId,
  categoryId: BodyId,
  point: PointSchema.optional().openapi({ description: "omit to keep the item's own point, if any; without one the message is off the map" }),
  executorId: BodyId.optional().openapi({ description: "omit to route by the municipality's routing rules (GET /incidents/{id} shows the suggestion)" }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'acceptIncident',
  path: '/incidents/{id}/accept',
  tags: ['incidents'],
  summary: 'Accept an item into work: it becomes an open-source message, assigned to the executor',
  description: "The one-working-hour draft rule starts now; answers need the curator's approval and go out as a comment under the source post (own VK wall) or are published by hand.",
  ...access('incidents.triage'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: {
    200: jsonContent(z.object({ incident: IncidentWithPhotosSchema, message: MessageSchema }), "The item (its photos' copies as this acceptance left them) and its message"),
    ...problems(400, 404, 409, 422),
  },
});

export function registerAcceptIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      if (body.executorId !== undefined) await executorInScope(trx, scope, body.executorId);
      const accepted = await acceptIncident(trx, scope, { incidentId: id, ...body, actor: staffActor(principal) }, now);
      // Read in the same transaction: the copies the acceptance gave the message, the rest waiting in its queue.
      const [incident] = await withPhotoCopies(trx, [accepted.incident]);
      return {
        result: { incident: incident!, message: accepted.message },
        audit: {
          action: 'incident.accept',
          entity: 'incident',
          entityId: id,
          municipalityId: body.municipalityId,
          data: { messageId: accepted.message.id, categoryId: body.categoryId, executorId: accepted.message.executorId },
        },
      };
    });
    return c.json({ incident: result.incident, message: messageDto(result.message, deps.clock()) }, 200);
  });
}
