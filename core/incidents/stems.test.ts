import { describe, expect, it } from 'vitest';
import { matchCount, stem, stemsOf } from './stems.ts';

describe('Russian stems for keyword rules', () => {
  it('meets the forms of a word on one stem', () => {
    expect(new Set(['яма', 'ямы', 'ямой', 'ям', 'ямах'].map(stem))).toEqual(new Set(['ям']));
    expect(new Set(['фонарь', 'фонари', 'фонарей', 'фонарём'].map(stem))).toEqual(new Set(['фонар']));
    expect(new Set(['освещение', 'освещения', 'освещением'].map(stem)).size).toBe(1);
    expect(stem('Ёлка')).toBe(stem('елка'));
  });

  it('matches a post by its words whatever their form, and skips unrelated posts', () => {
    const rule = stemsOf(['яма', 'выбоина', 'асфальт']);
    expect(matchCount('На Ленина огромные ЯМЫ, и асфальта нет', rule)).toBe(2);
    expect(matchCount('Выбоину так и не заделали', rule)).toBe(1);
    expect(matchCount('Продам гараж, звоните', rule)).toBe(0);
  });

  it('drops duplicates and one-letter words from a dictionary', () => {
    expect(stemsOf(['ямы', 'яма', 'в', ' '])).toEqual(['ям']);
  });
});
