import { createRoute, z } from '@hono/zod-openapi';
import { issueKey } from '../../../../core/access/api-keys.service.ts';
import { getStaff } from '../../../../core/access/staff.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ApiKeySchema, apiKeyDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ label: z.string().trim().max(100).optional().openapi({ description: 'e.g. "laptop" or "console"' }) });

export const route = createRoute({
  method: 'post',
  operationId: 'issueKey',
  path: '/staff/{id}/keys',
  tags: ['staff and keys'],
  summary: 'Issue an API key for a staff member; the key is shown in this response only',
  ...access('keys.manage'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: {
    201: jsonContent(z.object({ key: ApiKeySchema, token: z.string().openapi({ description: 'the bearer token: store it now, it is not shown again' }) }), 'The new key'),
    ...problems(400, 404),
  },
});

export function registerIssueKey(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { label } = c.req.valid('json');
    const issued = await audited(c, deps, async ({ trx, now, principal }) => {
      const staff = await getStaff(trx, id);
      const result = await issueKey(trx, { staffId: id, label, createdBy: principal.staffId }, now);
      return { result, audit: { action: 'api_key.issue', entity: 'api_key', entityId: result.key.id, municipalityId: staff.municipalityId, data: { staffId: id, prefix: result.key.prefix } } };
    });
    c.header('cache-control', 'no-store');
    return c.json({ key: apiKeyDto(issued.key), token: issued.token }, 201);
  });
}
