import { describe, expect, it } from 'vitest';
import { globalButtonId, parseGlobal, readStamped, stampId } from './buttons.ts';
import { pageOf, pagerRow } from './paging.ts';

describe('button ids', () => {
  it('stamps step actions with the step version and recognises stale ones', () => {
    const id = stampId(1234, 'c:17');
    expect(id).toBe('ya:c:17');
    expect(readStamped(id, 1234)).toEqual({ action: 'c:17' });
    expect(readStamped(id, 1235)).toBe('stale');
    expect(readStamped('garbage', 1)).toBe('stale');
    expect(readStamped(':x', 1)).toBe('stale');
  });

  it('global ids round-trip and junk is refused', () => {
    for (const action of [
      { kind: 'rate', messageId: 2147483650, stars: 5 },
      { kind: 'open', messageId: 9 },
      { kind: 'comment', messageId: 9 },
      { kind: 'menu', item: 'file' },
      { kind: 'language', language: 'en' },
    ] as const) {
      const id = globalButtonId(action);
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
      expect(parseGlobal(id)).toEqual(action);
    }
    for (const junk of ['!r:1:6', '!r:0:3', '!r:x:3', '!o:-1', '!m:nope', '!l:de', 'r:1:3', '!']) expect(parseGlobal(junk)).toBeUndefined();
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
