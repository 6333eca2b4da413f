import type { Kysely } from 'kysely';
import type { Database } from '../core/db/database.ts';
import type { Channel } from '../core/db/types.ts';
import { approveAnswer, draftAnswer } from '../core/messages/answers.service.ts';
import { addStaffComment } from '../core/messages/feedback.service.ts';
import { acceptMessage, setPublished } from '../core/messages/moderation.service.ts';

/**
 * The `$staff` directive of the conversation players (Telegram and VK): an official acts on the
 * newest message of the resident behind a messenger identity, through core like the admin API
 * would. Returns the message id.
 */
export async function staffAct(db: Kysely<Database>, channel: Channel, externalId: string, action: string, entry: Record<string, unknown>): Promise<number> {
  const message = await db
    .selectFrom('message')
    .innerJoin('resident_identity', 'resident_identity.resident_id', 'message.author_id')
    .select(['message.id', 'message.municipality_id'])
    .where('resident_identity.channel', '=', channel)
    .where('resident_identity.external_id', '=', externalId)
    .orderBy('message.id', 'desc')
    .executeTakeFirstOrThrow();
  const staffOf = async (role: 'moderator' | 'curator' | 'executor') =>
    (await db.selectFrom('staff').select('id').where('municipality_id', '=', message.municipality_id).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow()).id;
  const now = new Date();
  const text = typeof entry.text === 'string' ? entry.text : 'Работы выполнены.';
  const answer = async (kind: 'intermediate' | 'clarification' | 'final', resolution?: 'solved' | 'explained') => {
    const { answer: draft } = await draftAnswer(db, { messageId: message.id, kind, resolution, text, actor: { kind: 'staff', staffId: await staffOf('executor') } }, now);
    if (draft.state === 'draft') await approveAnswer(db, { answerId: draft.id, actor: { kind: 'staff', staffId: await staffOf('curator') } }, now);
  };
  if (action === 'accept') await acceptMessage(db, { messageId: message.id, actor: { kind: 'staff', staffId: await staffOf('moderator') } }, now);
  else if (action === 'publish') await setPublished(db, { messageId: message.id, published: true, actor: { kind: 'staff', staffId: await staffOf('moderator') } }, now);
  else if (action === 'intermediate' || action === 'clarification') await answer(action);
  else if (action === 'final_solved' || action === 'final_explained') await answer('final', action === 'final_solved' ? 'solved' : 'explained');
  else if (action === 'comment') await addStaffComment(db, { staffId: await staffOf('executor'), messageId: message.id, text }, now);
  else throw new Error(`unknown $staff action "${action}"`);
  return message.id;
}
