import type { Channel, Db } from '../core/db/types.ts';
import { giveConsent } from '../core/residents/consent.service.ts';
import { touchResident, updateResident } from '../core/residents/resident.repository.ts';

let counter = 0;

/** A resident who registered with consent in a municipality, as the bots would leave them. */
export async function registeredResident(db: Db, options: { municipalityId: number; channel?: Channel; externalId?: string; now?: Date }): Promise<number> {
  const now = options.now ?? new Date();
  const externalId = options.externalId ?? String(5_000_000_000 + ++counter + Math.floor(Math.random() * 1e6));
  const { resident } = await touchResident(db, { channel: options.channel ?? 'tg', externalId, chatId: externalId }, now);
  await giveConsent(db, resident.id, options.channel ?? 'tg', 'consent text', now);
  await updateResident(db, resident.id, { registeredAt: now, municipalityId: options.municipalityId });
  return resident.id;
}

export const KEMEROVO_CENTER = { lat: 55.3547, lon: 86.0873 };
export const NOVOKUZNETSK_CENTER = { lat: 53.7574, lon: 87.136 };

/** A staff member of the demo region by role and municipality. */
export async function demoStaffId(db: Db, municipalityId: number, role: 'curator' | 'moderator' | 'executor'): Promise<number> {
  const row = await db.selectFrom('staff').select('id').where('municipality_id', '=', municipalityId).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function categoryId(db: Db, code: string): Promise<number> {
  return (await db.selectFrom('category').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
}
