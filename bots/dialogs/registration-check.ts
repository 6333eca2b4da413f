import { hasLiveConsent } from '../../core/residents/consent.service.ts';
import { getResident } from '../../core/residents/resident.repository.ts';
import type { StepContext } from './flow.ts';
import type { View } from './view.ts';

/** Registered: finished registration and consent not withdrawn (read fresh, a step may just have changed it). */
export async function isRegistered(c: StepContext): Promise<boolean> {
  const resident = await getResident(c.db, c.resident.id);
  return resident.registeredAt !== null && (await hasLiveConsent(c.db, resident.id));
}

/**
 * Why an unregistered resident may not go on: no consent (first or withdrawn) or registration
 * unfinished; `stepFollows` inside the registration, whose current step is shown again right below.
 */
export async function registrationRequired(c: StepContext, stepFollows = false): Promise<View> {
  if (stepFollows) return { key: 'dialog.finish_registration_below' };
  return (await hasLiveConsent(c.db, c.resident.id)) ? { key: 'errors.NOT_REGISTERED' } : { key: 'errors.CONSENT_REQUIRED' };
}
