import { describe, expect, it } from 'vitest';
import { changedFields, sameValue } from './changes.ts';

describe('changedFields', () => {
  it('names only the fields given whose value differs: dates by instant, arrays and objects by content', () => {
    const before = { title: 'Снег', at: new Date('2026-12-05T11:00:00Z'), ids: [1, 2], venue: { name: 'Филармония', lat: 55.3 }, link: null, updatedAt: new Date(0) };
    const same = { title: 'Снег', at: new Date('2026-12-05T11:00:00Z'), ids: [1, 2], venue: { lat: 55.3, name: 'Филармония' }, link: null, body: undefined };
    expect(changedFields(before, same)).toEqual([]);
    expect(changedFields(before, {})).toEqual([]);
    expect(changedFields(before, { ids: [2, 1], venue: { name: 'Филармония', lat: 55.31 }, link: '' })).toEqual(['ids', 'venue', 'link']);
    expect(changedFields(before, { ...before, updatedAt: new Date(1) }, ['updatedAt'])).toEqual([]);
  });

  it('tells a date, an array, an object and null apart from each other', () => {
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue([], {})).toBe(false);
    expect(sameValue(new Date(0), 0)).toBe(false);
    expect(sameValue({ a: undefined }, {})).toBe(true);
  });
});
