import { createRoute } from '@hono/zod-openapi';
import { revokeKey } from '../../../../core/access/api-keys.service.ts';
import { getStaff } from '../../../../core/access/staff.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { ApiKeySchema, apiKeyDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'revokeKey',
  path: '/keys/{id}/revoke',
  tags: ['staff and keys'],
  summary: 'Revoke a key at once (idempotent)',
  description: 'The last key of the last active operator cannot be revoked (422 LAST_OPERATOR).',
  ...access('keys.manage'),
  request: { params: IdParams },
  responses: { 200: jsonContent(ApiKeySchema, 'The revoked key'), ...problems(400, 404, 422) },
});

export function registerRevokeKey(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const key = await audited(c, deps, async ({ trx, now }) => {
      const { key: result, changed } = await revokeKey(trx, id, now);
      if (!changed) return { result, audit: null };
      const staff = await getStaff(trx, result.staffId);
      return { result, audit: { action: 'api_key.revoke', entity: 'api_key', entityId: id, municipalityId: staff.municipalityId, data: { staffId: result.staffId } } };
    });
    return c.json(apiKeyDto(key), 200);
  });
}
