import { updateResident } from '../../../core/residents/resident.repository.ts';
import { action, type BotFeature, type Run } from '../../dialogs/feature.ts';
import { end, reply, stay, type StepContext } from '../../dialogs/flow.ts';
import { mainMenu } from '../../dialogs/menu.ts';
import { IDLE_FLOW, type Features } from '../../dialogs/registry.ts';
import { local, type View } from '../../dialogs/view.ts';
import { BACK_TO_MENU_ENTRY, withMenuButton } from './back-to-menu.ts';
import { pleasantryOf } from './courtesy.ts';

/** `!l:<ru|en>`: the bot's language; the current step is shown again in it. */
const languageAction = action<'ru' | 'en'>({
  tag: 'l',
  encode: (language) => [language],
  decode: (args) => (args.length === 1 && (args[0] === 'ru' || args[0] === 'en') ? args[0] : undefined),
  async run(c, language) {
    c.language = language;
    await updateResident(c.db, c.resident.id, { language });
    return stay({ say: [{ key: 'dialog.language_set' }], reprompt: true });
  },
});

function languageChoice(): View {
  return {
    key: 'dialog.choose_language',
    // Each language's own name, the same in every locale.
    keyboard: { kind: 'inline', rows: [[languageAction.literalButton('ru', 'Русский'), languageAction.literalButton('en', 'English')]] },
  };
}

const chooseLanguage = () => reply([languageChoice()]);
/** /help lists the commands every feature describes (the same list as the messenger's command menu). */
export function helpView(features: Features): View {
  return {
    key: 'dialog.help',
    lines: [...features.described.map((command) => ({ key: 'dialog.help_command', params: { command: command.name, description: local(command.description) } })), { key: 'dialog.help_footer' }],
  };
}
const help: Run = (c) => reply([helpView(c.features)]);
const backToMenu = () => end([]);

/**
 * Thanks, an "ok" or a greeting at the main menu: a polite word, not "not understood" nor an offer to
 * file it as a problem (BotFeature.textOffer). Thanks get the way back to the menu; a greeting, the
 * menu itself. Within a flow the step answers such text as it answers any (a description, a hint).
 * What is under way between flows (a clarification reply's photos still coming) goes on: a courtesy
 * changes nothing. A pending clarification request's feature is asked first (registry order).
 */
async function courtesyAtMenu(c: StepContext, text: string): Promise<View[] | undefined> {
  if (c.position.flow !== IDLE_FLOW) return undefined;
  const kind = pleasantryOf(c.t, text);
  if (kind === 'thanks') return [withMenuButton('dialog.courtesy_reply')];
  if (kind === 'greeting') return [{ key: 'dialog.greeting_reply' }, await mainMenu(c)];
  return undefined;
}

/** What every bot has: help, language, the main menu, /cancel, a polite word for thanks and greetings. */
export const basics: BotFeature = {
  name: 'basics',
  commands: [
    { name: 'menu', description: 'commands.menu', words: ['меню', 'menu'], run: backToMenu },
    { name: 'language', description: 'commands.language', run: chooseLanguage },
    { name: 'help', description: 'commands.help', words: ['помощь', 'help'], run: help },
    {
      name: 'cancel',
      description: 'commands.cancel',
      words: ['отмена', 'отменить', 'cancel'],
      endsFlow: true,
      run: (c) => (c.position.flow === IDLE_FLOW ? stay({ say: [{ key: 'dialog.nothing_to_cancel' }], reprompt: true }) : end([{ key: 'dialog.cancelled' }])),
    },
  ],
  menu: [
    { id: 'language', label: 'menu.language', row: 30, column: 1, run: chooseLanguage },
    { id: 'help', label: 'menu.help', row: 50, run: help },
    // Not in the main menu itself: the "back to menu" button other features put on their lists and cards.
    { id: BACK_TO_MENU_ENTRY, label: 'menu.back_to_menu', run: backToMenu },
  ],
  actions: [languageAction],
  freeText: courtesyAtMenu,
};
