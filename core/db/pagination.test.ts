import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize, toPage } from './pagination.ts';

describe('pagination', () => {
  it('round-trips cursors and rejects forged ones as INVALID_CURSOR', () => {
    expect(decodeCursor(encodeCursor({ v: '2026-12-01T00:00:00.000Z', id: 7 }))).toEqual({ v: '2026-12-01T00:00:00.000Z', id: 7 });
    for (const bad of ['', 'x', Buffer.from('{"id":"7"}').toString('base64url'), Buffer.from('{"v":{},"id":1}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    }
  });

  it('caps page sizes and cuts the extra row into a cursor', () => {
    expect(pageSize(10_000)).toBe(MAX_PAGE_SIZE);
    expect(pageSize(0)).toBe(1);
    const page = toPage([{ id: 1 }, { id: 2 }, { id: 3 }], 2, (r) => r.id, (r) => ({ v: null, id: r.id }));
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!)).toEqual({ v: null, id: 2 });
    expect(toPage([{ id: 1 }], 2, (r) => r.id, (r) => ({ v: null, id: r.id })).nextCursor).toBeNull();
  });
});
