import type { Channel } from '../../core/db/types.ts';
import { globalButton, literalGlobalButton, type MenuItem } from './buttons.ts';
import { local, type View } from './view.ts';

/** A main-menu entry as a global button: it starts its flow from wherever the resident is. */
export const menuButton = (menuItem: MenuItem, label: string) => globalButton({ kind: 'menu', item: menuItem }, label);
const item = menuButton;

/** The name of the messenger other than `channel` (the one a resident may link from here). */
export const otherMessenger = (channel: Channel) => local(channel === 'tg' ? 'menu.messenger_vk' : 'menu.messenger_tg');

/** The main menu: global buttons, so an old menu further up the chat still works. */
export function mainMenu(channel: Channel): View {
  return {
    key: 'menu.main',
    keyboard: {
      kind: 'inline',
      rows: [
        [item('file', 'menu.file')],
        [item('my', 'menu.my')],
        [item('privacy', 'menu.privacy'), item('language', 'menu.language')],
        [globalButton({ kind: 'menu', item: 'link' }, 'menu.link', { other: otherMessenger(channel) }), item('notify', 'menu.notify')],
        [item('settings', 'menu.settings')],
        [item('help', 'menu.help')],
      ],
    },
  };
}

export function languageChoice(): View {
  return {
    key: 'dialog.choose_language',
    keyboard: {
      kind: 'inline',
      // Each language's own name, the same in every locale.
      rows: [[literalGlobalButton({ kind: 'language', language: 'ru' }, 'Русский'), literalGlobalButton({ kind: 'language', language: 'en' }, 'English')]],
    },
  };
}
