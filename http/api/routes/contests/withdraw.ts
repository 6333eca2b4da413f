import { createRoute } from '@hono/zod-openapi';
import { withdrawContest } from '../../../../core/contests/contests.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems, WithdrawBody } from '../../schemas/common.ts';
import { ContestSchema, contestDto } from '../../schemas/contests.ts';
import { audited } from '../../write.ts';
import { contestInScope } from './scope.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'withdrawContest',
  path: '/contests/{id}/withdraw',
  tags: ['contests'],
  summary: 'Withdraw a published contest before its results, optionally saying why: nothing further happens to it, its announcements not sent yet are not sent, its entries are kept',
  description:
    '409 CONTEST_WRONG_STATE: a draft, a contest whose results are published, or one withdrawn already. Its entrants are told it was withdrawn, and residents who open it afterwards; both with the reason when one is given (400 VALIDATION: longer than 500 characters, or a NUL).',
  ...access('contests.write'),
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: WithdrawBody } } } },
  responses: { 200: jsonContent(ContestSchema, 'The contest, withdrawn'), ...problems(400, 404, 409) },
});

export function registerWithdrawContest(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    // The body is optional: none is no reason.
    const reason = (c.req.valid('json') as { reason?: string } | undefined)?.reason ?? null;
    const contest = await audited(c, deps, async ({ trx, scope, now }) => {
      const existing = await contestInScope(trx, scope, id);
      const withdrawn = await withdrawContest(trx, id, now, reason);
      return {
        result: withdrawn,
        audit: {
          action: 'contest.withdraw',
          entity: 'contest',
          entityId: id,
          municipalityId: existing.municipalityId,
          ...(withdrawn.withdrawnReason && { data: { reason: withdrawn.withdrawnReason } }),
        },
      };
    });
    return c.json(contestDto(contest), 200);
  });
}
