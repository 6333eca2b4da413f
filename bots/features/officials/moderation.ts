import { decodeModerationAction, MODERATION_TAG, type ModerationCardAction } from '../../../core/alerts/new-message.ts';
import { can, type Permission } from '../../../core/access/permissions.ts';
import { messageInScope } from '../../../core/access/scope.ts';
import { DomainError } from '../../../core/errors.ts';
import { transition } from '../../../core/messages/lifecycle.ts';
import { acceptMessage, routeExecutor } from '../../../core/messages/moderation.service.ts';
import type { Db } from '../../../core/db/types.ts';
import type { ActionHandler } from '../../dialogs/feature.ts';
import { goto, stay, type StepContext } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';
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

/** Accept to the suggested executor at once; the other buttons continue in the official flow. */
async function run(c: StepContext, action: ModerationCardAction) {
  const staff = await linkedOfficial(c);
  if (!staff) return stay({ say: [{ key: 'official.not_linked' }] });
  await authorizeModeration(c.db, staff.staffId, action.messageId);
  const actor = { kind: 'staff' as const, staffId: staff.staffId };
  const message = await c.db.selectFrom('message').select(['status', 'municipality_id', 'category_id']).where('id', '=', action.messageId).executeTakeFirstOrThrow();
  if (action.op === 'category') {
    transition(message.status, 'change_category');
    return goto('mod_category', { flow: 'official', data: { messageId: action.messageId } });
  }
  transition(message.status, action.op === 'reject' ? 'reject' : 'accept');
  if (action.op === 'reject') return goto('mod_reject', { flow: 'official', data: { messageId: action.messageId } });
  if (action.op === 'other') return goto('mod_executor', { flow: 'official', data: { messageId: action.messageId } });
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
