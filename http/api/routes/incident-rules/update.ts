import { createRoute, z } from '@hono/zod-openapi';
import { getRule, updateRule } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { RuleSchema, ruleDto } from '../../schemas/incidents.ts';
import { audited, editAudit } from '../../write.ts';
import { RuleKeywords } from './create.ts';

const Body = z
  .strictObject({ categoryId: BodyId.optional(), keywords: RuleKeywords.optional(), active: z.boolean().optional() })
  .refine((b) => b.categoryId !== undefined || b.keywords !== undefined || b.active !== undefined, 'categoryId, keywords or active is required');

export const route = createRoute({
  method: 'patch',
  operationId: 'updateIncidentRule',
  path: '/incident-rules/{id}',
  tags: ['incidents'],
  summary: "Edit a keyword rule's words, category or activity",
  description: 'Editing it into a rule the municipality has (the same keywords and category): 409 ALREADY_EXISTS naming that one.',
  ...access('incidents.configure'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(RuleSchema, 'The rule'), ...problems(400, 404, 409) },
});

export function registerUpdateRuleIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const rule = await audited(c, deps, async ({ trx, scope }) => {
      const before = await getRule(trx, scope, id);
      const result = await updateRule(trx, id, body);
      const audit = editAudit(before, result, () => ({
        action: 'incident_rule.update',
        entity: 'incident_rule',
        entityId: id,
        municipalityId: result.municipalityId,
        data: { categoryId: result.categoryId, stems: result.stems, active: result.active },
      }));
      return { result, audit };
    });
    return c.json(ruleDto(rule), 200);
  });
}
