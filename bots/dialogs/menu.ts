import { globalButton, literalGlobalButton, type MenuItem } from './buttons.ts';
import type { View } from './view.ts';

/** A main-menu entry as a global button: it starts its flow from wherever the resident is. */
export const menuButton = (menuItem: MenuItem, label: string) => globalButton({ kind: 'menu', item: menuItem }, label);
const item = menuButton;

/** The main menu: global buttons, so an old menu further up the chat still works. */
export function mainMenu(): View {
  return {
    key: 'menu.main',
    keyboard: {
      kind: 'inline',
      rows: [[item('file', 'menu.file')], [item('my', 'menu.my')], [item('privacy', 'menu.privacy'), item('language', 'menu.language')], [item('help', 'menu.help')]],
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
