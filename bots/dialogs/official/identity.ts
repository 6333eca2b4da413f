import { parseAlertButton } from '../../../core/alerts/buttons.ts';
import { DomainError } from '../../../core/errors.ts';
import { staffByIdentity, type LinkedStaff } from '../../../core/staff/link-codes.ts';
import type { StepContext } from '../flow.ts';
import type { DialogInput } from '../input.ts';
import type { DialogState } from '../state.ts';
import type { View } from '../view.ts';

/** The staff member this messenger account is linked to, if any; officials read in their own language. */
export async function linkedOfficial(c: StepContext): Promise<LinkedStaff | null> {
  const staff = await staffByIdentity(c.db, c.from.channel, c.from.externalId);
  if (staff) c.language = staff.language;
  return staff;
}

/** Inside an official's dialog: the link must still be there (it may have been removed meanwhile). */
export async function requireOfficial(c: StepContext): Promise<LinkedStaff> {
  const staff = await linkedOfficial(c);
  if (!staff) throw new DomainError('FORBIDDEN', { reason: 'messenger account not linked to staff' });
  return staff;
}

export const OFFICIAL_COMMANDS: readonly string[] = ['unlink'];

/**
 * Whether this input is an official's business (an alert button, /unlink, a step of the official
 * dialog): then the whole turn, error texts included, is rendered in the official's language.
 */
export function isOfficialInput(state: Pick<DialogState, 'flow'>, input: DialogInput): boolean {
  if (state.flow === 'official') return true;
  if (input.kind === 'button') return parseAlertButton(input.data) !== null;
  return input.kind === 'command' && OFFICIAL_COMMANDS.includes(input.command);
}

/** What an account that is not a registered resident is told between flows: officials get their own hint. */
export async function unregisteredHint(c: StepContext): Promise<View> {
  return (await linkedOfficial(c)) ? { key: 'official.idle_hint' } : { key: 'dialog.start_hint' };
}
