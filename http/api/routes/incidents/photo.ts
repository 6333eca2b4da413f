import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf } from '../../../../core/access/scope.ts';
import { incidentPhotoCopy } from '../../../../core/incidents/incident-photos.ts';
import { getIncident } from '../../../../core/incidents/incidents.service.ts';
import { readMedia } from '../../../../core/media/media.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, problems, urlInteger } from '../../schemas/common.ts';
import { fileHeaders, requireStore } from '../media/store.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' } }),
  position: urlInteger(0, 99).openapi({ param: { name: 'position', in: 'path' }, description: "the photo's place in the item's `photos` (0-based)" }),
});

export const route = createRoute({
  method: 'get',
  operationId: 'getIncidentPhoto',
  path: '/incidents/{id}/photos/{position}',
  tags: ['incidents'],
  summary: 'The copy of one photo of an open-source item',
  description:
    "Served from the media store to whoever may see the item (its municipality's staff; the region's shared queue: every municipality's). VK signs its file URLs for a limited time, so the copy made after intake is what stays: `photoCopies` of GET /incidents/{id} says which photos have one. A photo without a copy is 409 PHOTO_NOT_COPIED, `details.state` saying whether it is still being copied (waiting), was given up, or is never copied (not_copied).",
  ...access('incidents.triage'),
  request: { params: Params },
  responses: {
    200: { description: 'The photo, as the type found in its bytes', content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...problems(400, 404, 409),
  },
});

export function registerGetIncidentPhoto(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id, position } = c.req.valid('param');
    const incident = await getIncident(deps.db, scopeOf(c.get('principal')), id);
    const mediaId = await incidentPhotoCopy(deps.db, incident, position);
    // The copy's own media row may be the region's (a shared-queue item's): the item's scope decides, checked above.
    const { media, bytes } = await readMedia(deps.db, requireStore(deps).store, mediaId);
    return c.body(bytes.slice().buffer, 200, fileHeaders(media.mime));
  });
}
