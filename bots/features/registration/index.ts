import { getResident } from '../../../core/residents/resident.repository.ts';
import type { BotFeature, Run } from '../../dialogs/feature.ts';
import { end, enter, type Outcome, type StepContext, stay } from '../../dialogs/flow.ts';
import { hasConsent, isRegistered } from '../../dialogs/registration-check.ts';
import { registrationFlow, THEN_KEY } from './flow.ts';

/**
 * /start: a registered resident goes back to the menu; an unfinished registration resumes where
 * it stopped (the step shown again, or after consent: phone, else municipality), never from the
 * language choice and consent again; anybody else starts it.
 *
 * `then`: a deep-link payload (`poll_12` from a poster's QR code) an unregistered resident came
 * with; kept in the registration's data and opened once the registration completes (flow.ts).
 */
export async function startRegistration(c: StepContext, then?: string): Promise<Outcome> {
  const data = then === undefined ? {} : { [THEN_KEY]: then };
  if (await isRegistered(c)) return end([{ key: 'dialog.welcome_back' }]);
  if (c.position.flow === registrationFlow.name) return stay({ say: [{ key: 'reg.resumed' }], reprompt: true, data });
  if (await hasConsent(c)) {
    const resident = await getResident(c.db, c.resident.id);
    return enter(registrationFlow.name, { step: resident.phone ? 'municipality' : 'phone', say: [{ key: 'reg.resumed' }], data });
  }
  return enter(registrationFlow.name, { data });
}

const start: Run<[payload: string | undefined]> = (c) => startRegistration(c);

/** Registration: language → consent → phone → municipality (flow.ts); /start resumes an unfinished one. */
export const registration: BotFeature = {
  name: 'registration',
  flows: [registrationFlow],
  commands: [
    {
      name: 'start',
      description: 'commands.start',
      // «Начать» is the label of VK's own start button, which residents also type.
      words: ['начать', 'старт', 'start'],
      run: start,
    },
  ],
};
