import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { announce, getBroadcast } from '../../../../core/broadcasts/broadcasts.ts';
import { DomainError } from '../../../../core/errors.ts';
import { mediaInScope, usableMedia } from '../../../../core/media/media.repository.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BroadcastSchema, broadcastDto, CreateBroadcastBody } from '../../schemas/broadcasts.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createBroadcast',
  path: '/broadcasts',
  tags: ['broadcasts'],
  summary: 'Send an official mailing to the residents of a municipality subscribed to a topic',
  description:
    'Each subscribed, registered resident with a live consent gets it once, on the messenger they chose for notifications, paced ' +
    'behind replies and status notifications. Curators send to their own municipality; only operators to every municipality (municipalityId null).',
  ...access('broadcasts.send'),
  request: { body: { required: true, content: { 'application/json': { schema: CreateBroadcastBody } } } },
  responses: { 201: jsonContent(BroadcastSchema, 'The broadcast, queued'), ...problems(400, 404) },
});

export function registerCreateBroadcast(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const id = await audited(c, deps, async ({ trx, scope, principal }) => {
      if (body.municipalityId === null && scope.municipalityId !== null) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: null });
      await municipalityInScope(trx, scope, body.municipalityId);
      for (const mediaId of body.mediaIds ?? []) {
        await mediaInScope(trx, scope, mediaId);
        // The scope alone lets an operator pick any municipality's file: the mailing's municipality decides, as for news.
        await usableMedia(trx, body.municipalityId, mediaId);
      }
      const broadcastId = await announce(trx, {
        audience: { municipalityId: body.municipalityId, topic: body.topic, ...(body.language && { language: body.language }) },
        message: { key: 'broadcast.official', params: { text: body.text }, ...(body.mediaIds?.length && { media: body.mediaIds }) },
        kind: 'broadcast.official',
        source: 'api',
        createdByStaffId: principal.staffId,
      });
      return { result: broadcastId, audit: { action: 'broadcast.create', entity: 'broadcast', entityId: broadcastId, municipalityId: body.municipalityId } };
    });
    return c.json(broadcastDto((await getBroadcast(deps.db, id))!), 201);
  });
}
