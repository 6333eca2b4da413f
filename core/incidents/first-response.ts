import { workingHoursBetween } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';

/**
 * The first draft (answer, intermediate answer or clarification request) on a message under the
 * one-working-hour rule: records when it came, whether in time, and the working minutes it took.
 * Later drafts change nothing.
 */
export async function recordFirstDraft(db: Db, messageId: number, municipalityId: number, now: Date): Promise<void> {
  const pending = await db.selectFrom('first_response').select(['accepted_at', 'due_at']).where('message_id', '=', messageId).where('drafted_at', 'is', null).forUpdate().executeTakeFirst();
  if (!pending) return;
  const { calendar } = await getMunicipality(db, municipalityId);
  const minutes = Math.round(workingHoursBetween(calendar, pending.accepted_at, now) * 60);
  await db
    .updateTable('first_response')
    .set({ drafted_at: now, met: now.getTime() <= pending.due_at.getTime(), working_minutes: minutes })
    .where('message_id', '=', messageId)
    .execute();
}

export interface FirstResponse {
  messageId: number;
  acceptedAt: Date;
  dueAt: Date;
  draftedAt: Date | null;
  met: boolean | null;
  workingMinutes: number | null;
}

export async function getFirstResponse(db: Db, messageId: number): Promise<FirstResponse | null> {
  const row = await db.selectFrom('first_response').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  return row ? { messageId: row.message_id, acceptedAt: row.accepted_at, dueAt: row.due_at, draftedAt: row.drafted_at, met: row.met, workingMinutes: row.working_minutes } : null;
}
