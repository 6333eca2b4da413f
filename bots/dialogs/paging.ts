import type { Button } from './view.ts';

export const PAGE_ACTION = 'pg';

export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
}

/** One page of a list; `page` is clamped, so a stale page number still shows something. */
export function pageOf<T>(all: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(all.length / size));
  const current = Math.min(Math.max(0, Number.isInteger(page) ? page : 0), pages - 1);
  return { items: all.slice(current * size, current * size + size), page: current, pages };
}

/** "‹ 2/5 ›" navigation for a paged list; empty when everything fits on one page. */
export function pagerRow(page: number, pages: number): Button[] {
  if (pages <= 1) return [];
  const row: Button[] = [];
  if (page > 0) row.push({ id: `${PAGE_ACTION}:${page - 1}`, label: 'dialog.page_prev' });
  row.push({ id: `${PAGE_ACTION}:${page}`, label: 'dialog.page_of', labelParams: { page: page + 1, pages } });
  if (page < pages - 1) row.push({ id: `${PAGE_ACTION}:${page + 1}`, label: 'dialog.page_next' });
  return row;
}

/** Buttons for a list, `perRow` to a row, then the pager. */
export function listRows(buttons: Button[], page: number, pages: number, perRow = 1): Button[][] {
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  const pager = pagerRow(page, pages);
  if (pager.length > 0) rows.push(pager);
  return rows;
}

/**
 * VK's inline keyboard (bots/vk/render.ts VK_LIMITS): at most 6 rows and 10 buttons. A longer
 * list would be split over several messages, so VK lists get smaller pages instead.
 */
const VK_INLINE = { rows: 6, total: 10 } as const;
/** The pager's row: "‹", "n/m", "›". */
const PAGER = { rows: 1, buttons: 3 } as const;

/**
 * How many items a list page shows so the whole list keyboard is one message: `size` in
 * Telegram; in VK as many as fit next to the pager and the list's other buttons (`fixedButtons`
 * in `fixedRows` rows: Back, Cancel …), `perRow` items a row.
 */
export function pageSizeFor(channel: string, size: number, layout: { perRow?: number; fixedButtons?: number; fixedRows?: number } = {}): number {
  if (channel !== 'vk') return size;
  const { perRow = 1, fixedButtons = 0, fixedRows = 0 } = layout;
  const rows = VK_INLINE.rows - PAGER.rows - fixedRows;
  const buttons = VK_INLINE.total - PAGER.buttons - fixedButtons;
  return Math.max(1, Math.min(size, rows * perRow, buttons));
}
