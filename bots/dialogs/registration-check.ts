import { hasLiveConsent } from '../../core/residents/consent.service.ts';
import { DomainError } from '../../core/errors.ts';
import type { StepContext } from './flow.ts';
import type { View } from './view.ts';

/**
 * Registered: finished registration and consent not withdrawn. Read fresh (a step may just have
 * changed it), unless the turn still knows it: the turn's first statement (touchResident) reads
 * both, and the engine forgets them at the turn's first statement that may write (c.registration).
 */
export async function isRegistered(c: StepContext): Promise<boolean> {
  if (c.registration) return c.registration.registered && c.registration.consented;
  // One round trip: the resident's registration and a live consent together.
  const row = await c.db
    .selectFrom('resident')
    .select((eb) => [
      'resident.registered_at',
      eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.resident_id', '=', 'resident.id').where('consent.withdrawn_at', 'is', null)).as('consented'),
    ])
    .where('resident.id', '=', c.resident.id)
    .executeTakeFirst();
  if (!row) throw new DomainError('RESIDENT_NOT_FOUND', { id: c.resident.id });
  return row.registered_at !== null && Boolean(row.consented);
}

/**
 * Why an unregistered resident may not go on: no consent (first or withdrawn) or registration
 * unfinished; `stepFollows` inside the registration, whose current step is shown again right below.
 */
export async function registrationRequired(c: StepContext, stepFollows = false): Promise<View> {
  if (stepFollows) return { key: 'dialog.finish_registration_below' };
  return (await hasConsent(c)) ? { key: 'errors.NOT_REGISTERED' } : { key: 'errors.CONSENT_REQUIRED' };
}

/** A live consent (known to the turn, else read as isRegistered does). */
export async function hasConsent(c: StepContext): Promise<boolean> {
  if (c.registration) return c.registration.consented;
  return hasLiveConsent(c.db, c.resident.id);
}
