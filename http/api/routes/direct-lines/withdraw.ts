import { createRoute } from '@hono/zod-openapi';
import { withdrawDirectLine } from '../../../../core/polls/direct-line.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems, WithdrawBody } from '../../schemas/common.ts';
import { DirectLineSchema, directLineDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';
import { directLineInScope } from './scope.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'withdrawDirectLine',
  path: '/direct-lines/{id}/withdraw',
  tags: ['direct lines'],
  summary: 'Withdraw a campaign, optionally saying why: no more questions, its announcement not sent yet is not sent (nor made later); the questions asked are kept',
  description:
    '409 DIRECT_LINE_WITHDRAWN: withdrawn already. Every resident who asked it a question is told once (outbox kind `direct_line.withdrawn`), and residents who tap its "Ask" button afterwards are told it was called off, both with the reason when one is given (400 VALIDATION: longer than 500 characters, or a NUL).',
  ...access('direct_lines.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: WithdrawBody } } } },
  responses: { 200: jsonContent(DirectLineSchema, 'The campaign, withdrawn'), ...problems(400, 404, 409) },
});

export function registerWithdrawDirectLine(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    // The body is optional: none is no reason.
    const reason = (c.req.valid('json') as { reason?: string } | undefined)?.reason ?? null;
    const line = await audited(c, deps, async ({ trx, scope, now }) => {
      const existing = await directLineInScope(trx, scope, id);
      const withdrawn = await withdrawDirectLine(trx, id, now, reason);
      return {
        result: withdrawn,
        audit: {
          action: 'direct_line.withdraw',
          entity: 'direct_line',
          entityId: id,
          municipalityId: existing.municipalityId,
          ...(withdrawn.withdrawnReason && { data: { reason: withdrawn.withdrawnReason } }),
        },
      };
    });
    return c.json(directLineDto(line), 200);
  });
}
