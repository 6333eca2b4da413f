import { actionId } from '../../core/dialogs/action-id.ts';
import { LANGUAGES } from '../../core/db/types.ts';
import { button } from './buttons.ts';
import type { StepContext } from './flow.ts';
import { MENU_TAG } from './registry.ts';
import type { Button, View } from './view.ts';

/** A main-menu entry's button (`!m:<id>`): it runs that entry from wherever the resident is. */
export const menuButton = (entryId: string, label: string, labelParams?: Record<string, unknown>): Button => button(actionId(MENU_TAG, entryId), label, labelParams);

/** The engine's own menu id for a page of the main menu (`!m:page:<n>`); feature ids cannot contain ':'. */
export const MENU_PAGE = 'page';

/**
 * How much of the main menu fits one message. VK's inline keyboard takes at most 6 rows and 10
 * buttons (bots/vk/render.ts); Telegram has no such limit, so its menu stays on one page.
 */
const PAGE_LIMITS: Record<string, { rows: number; buttons: number } | undefined> = { vk: { rows: 6, buttons: 10 } };

/**
 * The main menu: the registered features' entries (bots/dialogs/feature.ts MenuEntry) that this
 * resident may see, in their rows. Action buttons, so an old menu further up the chat still works.
 * Where the messenger's keyboard is too small for every entry, the menu is paged: whole rows in
 * order, a "More" button to the next page and a "Back" button to the previous one (the engine
 * shows a page in place of the menu whose button was pressed).
 */
export async function mainMenu(c: StepContext, page = 0): Promise<View> {
  const rows: Button[][] = [];
  for (const row of c.features.menuRows) {
    const shown: Button[] = [];
    for (const entry of row) {
      if (entry.visible && !(await entry.visible(c))) continue;
      shown.push(menuButton(entry.id, entry.label, entry.labelParams?.(c)));
    }
    if (shown.length > 0) rows.push(shown);
  }
  const limits = PAGE_LIMITS[c.from.channel];
  if (!limits || fits(rows, limits.rows, limits.buttons)) return { key: 'menu.main', keyboard: { kind: 'inline', rows } };
  const pages = paginate(rows, limits.rows - 1, limits.buttons - 2);
  const index = Math.min(Math.max(page, 0), pages.length - 1);
  const navigation: Button[] = [];
  if (index > 0) navigation.push(button(actionId(MENU_TAG, MENU_PAGE, String(index - 1)), 'menu.previous_page'));
  if (index < pages.length - 1) navigation.push(button(actionId(MENU_TAG, MENU_PAGE, String(index + 1)), 'menu.more'));
  return { key: 'menu.main', keyboard: { kind: 'inline', rows: [...pages[index]!, navigation] } };
}

/** A label as typed: lower case, ё as е, only letters and digits (emoji and punctuation dropped), single spaces. */
export const asTyped = (text: string) =>
  text
    .toLowerCase()
    .replaceAll('ё', 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** Whether `text` is a button's label typed (or sent by a VK app without the button's payload): emoji, punctuation and case aside. */
export const isTypedLabel = (text: string, label: string): boolean => asTyped(text).length > 0 && asTyped(text) === asTyped(label);

/** Whether a text is the label of a main-menu entry in any language (isTypedLabel): it means the menu, never words of the resident's own. */
export function isMenuLabel(c: StepContext, text: string): boolean {
  return c.features.menuRows.some((row) => row.some((entry) => LANGUAGES.some((language) => isTypedLabel(text, c.t(language, entry.label, entry.labelParams?.(c))))));
}

const fits = (rows: Button[][], maxRows: number, maxButtons: number) => rows.length <= maxRows && rows.flat().length <= maxButtons;

/** Whole rows into pages of at most `maxRows` rows and `maxButtons` buttons (a row too wide is cut into pieces). */
function paginate(rows: Button[][], maxRows: number, maxButtons: number): Button[][][] {
  const pieces = rows.flatMap((row) => {
    const out: Button[][] = [];
    for (let i = 0; i < row.length; i += maxButtons) out.push(row.slice(i, i + maxButtons));
    return out;
  });
  const pages: Button[][][] = [[]];
  for (const row of pieces) {
    const current = pages[pages.length - 1]!;
    if (current.length > 0 && !fits([...current, row], maxRows, maxButtons)) pages.push([row]);
    else current.push(row);
  }
  return pages;
}
