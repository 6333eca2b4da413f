import { decodeModerationAction, MODERATION_TAG, type ModerationCardAction } from '../../../core/alerts/new-message.ts';
import { can, type Permission } from '../../../core/access/permissions.ts';
import { messageInScope } from '../../../core/access/scope.ts';
import { DomainError } from '../../../core/errors.ts';
import { canApply, isClosed, type MessageAction } from '../../../core/messages/lifecycle.ts';
import { acceptMessage, routeExecutor } from '../../../core/messages/moderation.service.ts';
import type { Db } from '../../../core/db/types.ts';
import type { ActionHandler } from '../../dialogs/feature.ts';
import { goto, stay, type StepContext } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';
import type { View } from '../../dialogs/view.ts';
import { auditBotAction } from './audit.ts';

/** Who may moderate from a card: moderators and curators of the message's municipality (regional ones too) and operators. */
export function authorizeModeration(db: Db, staffId: number, messageId: number): Promise<void> {
  return authorizeOnMessage(db, staffId, messageId, 'messages.moderate', 'may not moderate');
}

/**
 * An official's action on a message from a card, checked as the admin API checks it: an active
 * staff member whose municipality (an operator's: the region) holds the message, and whose role has
 * `permission` (core/access/permissions.ts). An executor's card never names another's message:
 * not found for them.
 */
export async function authorizeOnMessage(db: Db, staffId: number, messageId: number, permission: Permission, refusal: string): Promise<void> {
  const staff = await db.selectFrom('staff').select(['role', 'municipality_id', 'active']).where('id', '=', staffId).executeTakeFirst();
  if (!staff?.active) throw new DomainError('FORBIDDEN', { reason: 'not active staff' });
  if (staff.role === 'executor') throw new DomainError('MESSAGE_NOT_FOUND', { id: messageId });
  await messageInScope(db, { municipalityId: staff.role === 'operator' ? null : staff.municipality_id, executorId: null }, messageId);
  if (!can(staff, permission)) throw new DomainError('FORBIDDEN', { reason: refusal, messageId });
}

/**
 * What became of a message whose moderation card (or one of its lists) is used after it left
 * moderation — another moderator or a curator accepted or rejected it, it closed since: the card's
 * moderators and curators all get it, so this is the usual case, not an error. Undefined while
 * `action` still applies.
 */
export async function moderatedAlready(c: StepContext, messageId: number, action: Extract<MessageAction, 'accept' | 'reject' | 'change_category'>): Promise<View | undefined> {
  const message = await c.db
    .selectFrom('message')
    .leftJoin('executor', 'executor.id', 'message.executor_id')
    .select(['message.status', 'executor.name'])
    .where('message.id', '=', messageId)
    .executeTakeFirstOrThrow();
  if (canApply(message.status, action)) return undefined;
  if (message.status === 'in_work') return { key: 'official.moderated_in_work', params: { messageId, executor: message.name ?? '—' } };
  return { key: isClosed(message.status) ? 'official.moderated_closed' : 'official.moderated_rejected', params: { messageId } };
}

/** Accept to the suggested executor at once; the other buttons continue in the official flow. */
async function run(c: StepContext, action: ModerationCardAction) {
  const staff = await linkedOfficial(c);
  if (!staff) return stay({ say: [{ key: 'official.not_linked' }] });
  await authorizeModeration(c.db, staff.staffId, action.messageId);
  const actor = { kind: 'staff' as const, staffId: staff.staffId };
  const done = await moderatedAlready(c, action.messageId, action.op === 'category' ? 'change_category' : action.op === 'reject' ? 'reject' : 'accept');
  if (done) return stay({ say: [done] });
  if (action.op === 'category') return goto('mod_category', { flow: 'official', data: { messageId: action.messageId } });
  if (action.op === 'reject') return goto('mod_reject', { flow: 'official', data: { messageId: action.messageId } });
  if (action.op === 'other') return goto('mod_executor', { flow: 'official', data: { messageId: action.messageId } });
  const message = await c.db.selectFrom('message').select(['municipality_id', 'category_id']).where('id', '=', action.messageId).executeTakeFirstOrThrow();
  const executorId = await routeExecutor(c.db, message.municipality_id, message.category_id);
  const accepted = await acceptMessage(c.db, { messageId: action.messageId, executorId, actor }, c.now);
  await auditBotAction(c, staff.staffId, {
    action: 'message.accept',
    entity: 'message',
    entityId: accepted.id,
    municipalityId: accepted.municipalityId,
    messageId: accepted.id,
    data: { executorId, routed: true },
  });
  const executor = await c.db.selectFrom('executor').select('name').where('id', '=', executorId).executeTakeFirstOrThrow();
  return stay({ say: [{ key: 'official.accepted', params: { messageId: accepted.id, executor: executor.name } }] });
}

export const moderationAction: ActionHandler<ModerationCardAction> = { tag: MODERATION_TAG, asStaff: true, decode: decodeModerationAction, run };
