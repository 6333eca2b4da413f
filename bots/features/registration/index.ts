import { hasLiveConsent } from '../../../core/residents/consent.service.ts';
import { getResident } from '../../../core/residents/resident.repository.ts';
import type { BotFeature, Run } from '../../dialogs/feature.ts';
import { end, enter, stay } from '../../dialogs/flow.ts';
import { isRegistered } from '../../dialogs/registration-check.ts';
import { registrationFlow } from './flow.ts';

/**
 * /start: a registered resident goes back to the menu; an unfinished registration resumes where
 * it stopped (the step shown again, or after consent: phone, else municipality), never from the
 * language choice and consent again; anybody else starts it.
 */
const start: Run<[payload: string | undefined]> = async (c) => {
  if (await isRegistered(c)) return end([{ key: 'dialog.welcome_back' }]);
  if (c.position.flow === registrationFlow.name) return stay({ say: [{ key: 'reg.resumed' }], reprompt: true });
  if (await hasLiveConsent(c.db, c.resident.id)) {
    const resident = await getResident(c.db, c.resident.id);
    return enter(registrationFlow.name, { step: resident.phone ? 'municipality' : 'phone', say: [{ key: 'reg.resumed' }] });
  }
  return enter(registrationFlow.name);
};

/** Registration: language → consent → phone → municipality (flow.ts); /start resumes an unfinished one. */
export const registration: BotFeature = {
  name: 'registration',
  flows: [registrationFlow],
  commands: [
    {
      name: 'start',
      description: 'commands.start',
      run: start,
    },
  ],
};
