import { hasLiveConsent } from '../../core/residents/consent.service.ts';
import { DomainError } from '../../core/errors.ts';
import type { StepContext } from './flow.ts';
import type { View } from './view.ts';

/** Registered: finished registration and consent not withdrawn (read fresh, a step may just have changed it). */
export async function isRegistered(c: StepContext): Promise<boolean> {
  // One round trip: the resident's registration and a live consent together.
  const row = await c.db
    .selectFrom('resident')
    .select((eb) => [
      'resident.registered_at',
      eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.resident_id', '=', 'resident.id').where('consent.withdrawn_at', 'is', null)).as('consented'),
    ])
    .where('resident.id', '=', c.resident.id)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', { entity: 'resident', id: c.resident.id });
  return row.registered_at !== null && Boolean(row.consented);
}

/**
 * Why an unregistered resident may not go on: no consent (first or withdrawn) or registration
 * unfinished; `stepFollows` inside the registration, whose current step is shown again right below.
 */
export async function registrationRequired(c: StepContext, stepFollows = false): Promise<View> {
  if (stepFollows) return { key: 'dialog.finish_registration_below' };
  return (await hasLiveConsent(c.db, c.resident.id)) ? { key: 'errors.NOT_REGISTERED' } : { key: 'errors.CONSENT_REQUIRED' };
}
