import { recordAudit, type AuditFacts } from '../../../core/audit/audit.service.ts';
import type { StepContext } from '../../dialogs/flow.ts';

/**
 * Every state change an official makes in a messenger is audited like one made through the API
 * (issue 18 item 12): the official as actor, no API key, the channel and the account in the
 * request id (`bot:<channel>:<account>`), in the transaction of the change itself.
 */
export async function auditBotAction(c: StepContext, staffId: number, facts: AuditFacts & { messageId?: number }): Promise<void> {
  const { messageId, ...rest } = facts;
  const municipality = messageId === undefined ? undefined : await c.db.selectFrom('message').select('municipality_id').where('id', '=', messageId).executeTakeFirst();
  await recordAudit(
    c.db,
    { staffId, apiKeyId: null, requestId: `bot:${c.from.channel}:${c.from.externalId}` },
    { ...rest, municipalityId: rest.municipalityId ?? municipality?.municipality_id ?? null, data: { ...(messageId !== undefined && { messageId }), channel: c.from.channel, ...rest.data } },
    c.now,
  );
}
