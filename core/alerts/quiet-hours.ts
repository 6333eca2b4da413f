import { nextWorkingStart } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';

/**
 * When an alert that can wait (a low rating, a complaint about an answer) may reach a
 * municipality's officials: undefined within its working hours (at once), else its next working
 * start — the alert is listed at once, its messages held in the outbox till then, rather than
 * waking a curator at 03:00 over something nobody acts on before morning.
 */
export async function heldTillWorkingHours(db: Db, municipalityId: number, now: Date): Promise<Date | undefined> {
  const start = nextWorkingStart((await getMunicipality(db, municipalityId)).calendar, now);
  return start.getTime() > now.getTime() ? start : undefined;
}
