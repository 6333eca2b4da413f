import { createRoute } from '@hono/zod-openapi';
import { recordDecision } from '../../../../core/polls/decisions.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { DecisionBody, DecisionSchema, decisionDto } from '../../schemas/polls.ts';
import { audited } from '../../write.ts';
import { pollInScope } from './scope.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'recordPollDecision',
  path: '/polls/{id}/decision',
  tags: ['polls'],
  summary: 'Record the management decision taken on a closed poll’s result (KPI 13); its voters are told',
  description:
    '400 VALIDATION naming decidedOn for a date before the poll started or after today (the poll municipality’s local date): a decision not yet taken is not announced to voters. 409 POLL_NOT_CLOSED before the poll is closed; 409 POLL_DECISION_EXISTS for a second decision.',
  ...access('polls.write'),
  request: { params: IdParams, body: jsonBody(DecisionBody) },
  responses: { 201: jsonContent(DecisionSchema, 'The decision'), ...problems(400, 404, 409) },
});

export function registerPollDecision(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { decision, notified } = await audited(c, deps, async ({ trx, scope, principal, now }) => {
      const poll = await pollInScope(trx, scope, id);
      const recorded = await recordDecision(trx, id, body, principal.staffId, now);
      return {
        result: recorded,
        audit: { action: 'poll.decision', entity: 'poll', entityId: id, municipalityId: poll.municipalityId, data: { decisionId: recorded.decision.id, newsItemId: body.newsItemId ?? null } },
      };
    });
    return c.json(decisionDto(decision, notified), 201);
  });
}
