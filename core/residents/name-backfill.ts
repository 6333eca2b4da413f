import type { Db } from '../db/types.ts';
import { storeLookedUpName } from './resident.repository.ts';

/**
 * Asks the messenger for the names of many users at once (VK users.get takes up to 1000 ids): each
 * id answered maps to the user's name, or null when there is none to keep (a deleted or banned
 * page). An id left out of the answer is not settled and is asked again next time. Throws when the
 * call fails (the batch is tried again at the next run).
 */
export type NameLookup = (userIds: string[]) => Promise<Map<string, string | null>>;

/** The most ids VK's users.get takes in one call. */
export const VK_USERS_PER_CALL = 1000;

export interface NameBackfillCounts {
  /** Residents whose names were asked for. */
  asked: number;
  /** Names stored. */
  named: number;
  /** Batches whose call failed (their residents are asked again next run). */
  failed: number;
}

/**
 * VK residents registered before their names were looked up at the consent (bots/vk/channel.ts)
 * have none: this asks users.get for them in batches of up to `perCall` ids and stores each name
 * where none is yet and the consent is still live (storeLookedUpName), then marks each identity
 * asked (`name_looked_up_at`), so a deleted page is not asked again. Every statement is its own
 * short transaction, and the call to VK is made with no transaction open (a batched cron job, on a
 * plain connection holding the job's lock). At most `maxBatches` batches a run: a large backlog is
 * worked off over a few runs.
 */
export async function backfillVkNames(db: Db, lookup: NameLookup, now: Date, options: { perCall?: number; maxBatches?: number } = {}): Promise<NameBackfillCounts> {
  const perCall = Math.min(options.perCall ?? VK_USERS_PER_CALL, VK_USERS_PER_CALL);
  const maxBatches = options.maxBatches ?? 20;
  const counts: NameBackfillCounts = { asked: 0, named: 0, failed: 0 };
  let after = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const due = await db
      .selectFrom('resident_identity as ri')
      .innerJoin('resident as r', 'r.id', 'ri.resident_id')
      .select(['ri.id', 'ri.resident_id', 'ri.external_id'])
      .where('ri.channel', '=', 'vk')
      .where('ri.name_looked_up_at', 'is', null)
      .where('ri.id', '>', after)
      .where('r.display_name', 'is', null)
      // Only a resident who consented: the name is personal data kept from the consent on.
      .where((eb) => eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.resident_id', '=', 'r.id').where('consent.withdrawn_at', 'is', null)))
      .orderBy('ri.id')
      .limit(perCall)
      .execute();
    if (due.length === 0) break;
    after = due.at(-1)!.id;
    counts.asked += due.length;
    let names: Map<string, string | null>;
    try {
      names = await lookup(due.map((d) => d.external_id));
    } catch {
      counts.failed++;
      continue;
    }
    const settled: number[] = [];
    for (const identity of due) {
      if (!names.has(identity.external_id)) continue;
      const name = names.get(identity.external_id);
      if (name && (await storeLookedUpName(db, identity.resident_id, name))) counts.named++;
      settled.push(identity.id);
    }
    if (settled.length > 0) await db.updateTable('resident_identity').set({ name_looked_up_at: now }).where('id', 'in', settled).execute();
    if (due.length < perCall) break;
  }
  return counts;
}

/** The name of the consent-time look-up is settled too: the backfill does not ask for it again. */
export async function markNameLookedUp(db: Db, channel: 'vk', externalId: string, now: Date): Promise<void> {
  await db.updateTable('resident_identity').set({ name_looked_up_at: now }).where('channel', '=', channel).where('external_id', '=', externalId).execute();
}
