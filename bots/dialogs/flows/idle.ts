import { answerClarification } from '../clarification.ts';
import { stay, type Flow } from '../flow.ts';
import { isRegistered } from '../registration-check.ts';
import { mainMenu } from '../menu.ts';
import { unregisteredHint } from '../official/identity.ts';

/**
 * Between flows (an official who is not a registered resident gets the officials' hint instead of
 * "send /start"). Free text goes to a pending clarification request when there is one (the
 * resident's reply is attached to that message as a comment); anything else gets a short hint.
 */
export const idleFlow: Flow = {
  name: 'idle',
  first: 'idle',
  needsRegistration: false,
  steps: {
    idle: {
      accepts: ['text', 'location', 'photo', 'contact', 'other', 'button'],
      prompt: async (c) => [(await isRegistered(c)) ? mainMenu(c.from.channel) : await unregisteredHint(c)],
      async next(c, input) {
        if (!(await isRegistered(c))) return stay({ say: [await unregisteredHint(c)] });
        const attached = input.kind === 'text' ? await answerClarification(c, input.text) : undefined;
        if (attached) return stay({ say: attached });
        const hint = input.kind === 'other' && input.what !== 'unsupported' ? 'dialog.hint_not_supported' : 'dialog.hint';
        return stay({ say: [{ key: hint }, mainMenu(c.from.channel)] });
      },
    },
  },
};
