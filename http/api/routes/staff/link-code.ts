import { createRoute, z } from '@hono/zod-openapi';
import { staffInScope } from '../../../../core/access/scope.ts';
import { createLinkCode, staffStartPayload } from '../../../../core/staff/link-codes.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { LinkCodeSchema } from '../../schemas/officials.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  ttlHours: z.number().positive().max(720).optional().openapi({ description: 'how long the code stays valid; default STAFF_LINK_CODE_TTL_HOURS' }),
});

export const route = createRoute({
  method: 'post',
  operationId: 'issueLinkCode',
  path: '/staff/{id}/link-codes',
  tags: ['staff and keys'],
  summary: 'Issue a one-time code that links an official\'s messenger account to them',
  description:
    'The official opens the deep link of their messenger (or sends `/start staff_<code>` to the bot) and is linked. Only the latest code of a staff member works; ' +
    'it expires and is used once. Operators issue codes for anyone, curators for the staff of their municipality. A deactivated staff member: 422 STAFF_INACTIVE.',
  ...access('staff.link'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 201: jsonContent(LinkCodeSchema, 'The code, shown once'), ...problems(400, 404, 422) },
});

export function registerIssueLinkCode(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { ttlHours } = c.req.valid('json');
    const issued = await audited(c, deps, async ({ trx, now, principal, scope }) => {
      const staff = await staffInScope(trx, scope, id);
      const result = await createLinkCode(trx, { actorStaffId: principal.staffId, staffId: id, ttlHours: ttlHours ?? deps.staffLinks?.ttlHours }, now);
      // The code itself never reaches the audit log: it is a credential until used.
      return { result, audit: { action: 'staff.link_code', entity: 'staff', entityId: id, municipalityId: staff.municipalityId, data: { expiresAt: result.expiresAt.toISOString() } } };
    });
    const payload = staffStartPayload(issued.code);
    const bot = deps.staffLinks?.telegramBotUsername;
    const group = deps.staffLinks?.vkGroupId;
    // VK brings a vk.me link's `ref` on the first message (message_new's `ref`): the bot takes it as /start <ref>.
    const deepLinks = { telegram: bot ? `https://t.me/${bot}?start=${payload}` : null, vk: group ? `https://vk.me/club${group}?ref=${payload}` : null };
    return c.json(
      { staffId: issued.staffId, code: issued.code, deepLink: deepLinks.telegram ?? deepLinks.vk, deepLinks, startCommand: `/start ${payload}`, expiresAt: issued.expiresAt.toISOString() },
      201,
    );
  });
}
