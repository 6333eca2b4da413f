import { menuButton } from '../../dialogs/menu.ts';
import type { Button, View } from '../../dialogs/view.ts';

/** basics' "back to menu" entry, as the button other features put on their lists and cards. */
export const BACK_TO_MENU_ENTRY = 'menu';

export const backToMenuButton = (): Button => menuButton(BACK_TO_MENU_ENTRY, 'menu.back_to_menu');

/** An answer whose only button is the way back to the menu (an empty list, an item a link names that is gone). */
export const withMenuButton = (key: string): View => ({ key, keyboard: { kind: 'inline', rows: [[backToMenuButton()]] } });
