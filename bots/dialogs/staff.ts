import { DomainError } from '../../core/errors.ts';
import { staffByIdentity, type LinkedStaff } from '../../core/staff/link-codes.ts';
import type { StepContext } from './flow.ts';

/** The staff member this messenger account is linked to, if any (a plain lookup: menus use it for visibility). */
export function linkedStaff(c: StepContext): Promise<LinkedStaff | null> {
  return staffByIdentity(c.db, c.from.channel, c.from.externalId);
}

/** The linked staff member, if any; from here on the turn is in the official's language. */
export async function linkedOfficial(c: StepContext): Promise<LinkedStaff | null> {
  const staff = await linkedStaff(c);
  if (staff) c.language = staff.language;
  return staff;
}

/** Inside an official's dialog: the link must still be there (it may have been removed meanwhile). */
export async function requireOfficial(c: StepContext): Promise<LinkedStaff> {
  const staff = await linkedOfficial(c);
  if (!staff) throw new DomainError('FORBIDDEN', { reason: 'messenger account not linked to staff' });
  return staff;
}
