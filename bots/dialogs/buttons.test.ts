import { describe, expect, it } from 'vitest';
import { actionId, MAX_BUTTON_ID_BYTES, parseActionId } from '../../core/dialogs/action-id.ts';
import { FEATURES } from '../features/registry.ts';
import { commentAction, openAction, rateAction } from '../features/my-messages/actions.ts';
import { readStamped, stampId } from './buttons.ts';
import { menuButton } from './menu.ts';
import { pageOf, pagerRow } from './paging.ts';
import { createRegistry, MENU_TAG } from './registry.ts';

const features = createRegistry(FEATURES);
/** What the engine does with an action id: the registered handler's decoded value (menu ids: the entry's id). */
function decoded(id: string): unknown {
  const parsed = parseActionId(id);
  if (!parsed) return undefined;
  if (parsed.tag === MENU_TAG) return parsed.args.length === 1 ? features.menuEntry(parsed.args[0]!)?.id : undefined;
  return features.action(parsed.tag)?.decode(parsed.args);
}

describe('button ids', () => {
  it('stamps step actions with the step version and recognises stale ones', () => {
    const id = stampId(1234, 'c:17');
    expect(id).toBe('ya:c:17');
    expect(readStamped(id, 1234)).toEqual({ action: 'c:17' });
    expect(readStamped(id, 1235)).toBe('stale');
    expect(readStamped('garbage', 1)).toBe('stale');
    expect(readStamped(':x', 1)).toBe('stale');
  });

  it('action ids round-trip through the registered handlers and junk is refused', () => {
    const cases: [string, unknown][] = [
      [rateAction.id({ messageId: 2147483647, stars: 5 }), { messageId: 2147483647, stars: 5 }],
      [openAction.id(9), 9],
      [commentAction.id(9), 9],
      [menuButton('file', 'menu.file').id, 'file'],
      [actionId('l', 'en'), 'en'],
      [actionId('n', 'last'), 'last'],
    ];
    // The ids residents already have in their chats keep their meaning.
    expect(cases.map(([id]) => id)).toEqual(['!r:2147483647:5', '!o:9', '!c:9', '!m:file', '!l:en', '!n:last']);
    for (const [id, value] of cases) {
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_BUTTON_ID_BYTES);
      expect(decoded(id)).toEqual(value);
    }
    for (const junk of ['!r:1:6', '!r:0:3', '!r:x:3', '!r:1', '!r:2147483648:5', '!o:-1', '!o:1:2', '!o:99999999999', '!m:nope', '!l:de', '!zz:1', 'r:1:3', '!'])
      expect(decoded(junk), junk).toBeUndefined();
  });

  it('refuses to build an id that is malformed or too long', () => {
    expect(() => actionId('Bad', 1)).toThrow();
    expect(() => actionId('x', 'a:b')).toThrow();
    expect(() => actionId('x', 'y'.repeat(MAX_BUTTON_ID_BYTES))).toThrow();
  });
});

describe('paging', () => {
  it('pages a list and clamps a page out of range', () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    expect(pageOf(items, 1, 8)).toEqual({ items: [8, 9, 10, 11], page: 1, pages: 2 });
    expect(pageOf(items, 7, 8).page).toBe(1);
    expect(pageOf(items, -3, 8).page).toBe(0);
    expect(pageOf([], 0, 8)).toEqual({ items: [], page: 0, pages: 1 });
  });

  it('shows only the arrows that lead somewhere', () => {
    expect(pagerRow(0, 1)).toEqual([]);
    expect(pagerRow(0, 3).map((b) => b.id)).toEqual(['pg:0', 'pg:1']);
    expect(pagerRow(2, 3).map((b) => b.id)).toEqual(['pg:1', 'pg:2']);
    expect(pagerRow(1, 3).map((b) => b.id)).toEqual(['pg:0', 'pg:1', 'pg:2']);
  });
});
