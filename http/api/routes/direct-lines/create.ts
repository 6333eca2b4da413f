import { createRoute } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createDirectLine } from '../../../../core/polls/direct-line.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { CreateDirectLineBody, DirectLineSchema, directLineDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'createDirectLine',
  path: '/direct-lines',
  tags: ['direct lines'],
  summary: "Create a campaign for the head's direct line («Прямая линия», KPI 12)",
  description:
    'Residents send questions in the bot (/ask, up to 5 each) while collection is open. When collection begins (at once if collectFrom is past) ' +
    'residents of the municipality subscribed to the direct line are told.',
  ...access('direct_lines.write'),
  request: { body: jsonBody(CreateDirectLineBody) },
  responses: { 201: jsonContent(DirectLineSchema, 'The campaign'), ...problems(400, 404) },
});

export function registerCreateDirectLine(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const line = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const created = await createDirectLine(trx, { ...body, collectFrom: new Date(body.collectFrom), collectTo: new Date(body.collectTo) }, principal.staffId, now);
      return { result: created, audit: { action: 'direct_line.create', entity: 'direct_line', entityId: created.id, municipalityId: created.municipalityId } };
    });
    return c.json(directLineDto(line), 201);
  });
}
