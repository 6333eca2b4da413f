import type { BotFeature } from '../../dialogs/feature.ts';
import { end, enter } from '../../dialogs/flow.ts';
import { isRegistered } from '../../dialogs/registration-check.ts';
import { registrationFlow } from './flow.ts';

/** /start: a registered resident is welcomed back to the menu, anybody else registers (language → consent → phone → municipality). */
export const registration: BotFeature = {
  name: 'registration',
  flows: [registrationFlow],
  commands: [
    {
      name: 'start',
      description: 'commands.start',
      run: async (c) => ((await isRegistered(c)) ? end([{ key: 'dialog.welcome_back' }]) : enter(registrationFlow.name)),
    },
  ],
};
