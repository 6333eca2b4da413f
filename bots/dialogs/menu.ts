import { actionId } from '../../core/dialogs/action-id.ts';
import { button } from './buttons.ts';
import type { StepContext } from './flow.ts';
import { MENU_TAG } from './registry.ts';
import type { Button, View } from './view.ts';

/** A main-menu entry's button (`!m:<id>`): it runs that entry from wherever the resident is. */
export const menuButton = (entryId: string, label: string, labelParams?: Record<string, unknown>): Button => button(actionId(MENU_TAG, entryId), label, labelParams);

/**
 * The main menu: the registered features' entries (bots/dialogs/feature.ts MenuEntry) that this
 * resident may see, in their rows. Action buttons, so an old menu further up the chat still works.
 */
export async function mainMenu(c: StepContext): Promise<View> {
  const rows: Button[][] = [];
  for (const row of c.features.menuRows) {
    const shown: Button[] = [];
    for (const entry of row) {
      if (entry.visible && !(await entry.visible(c))) continue;
      shown.push(menuButton(entry.id, entry.label, entry.labelParams?.(c)));
    }
    if (shown.length > 0) rows.push(shown);
  }
  return { key: 'menu.main', keyboard: { kind: 'inline', rows } };
}
