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

  it('a short keyword takes its diminutives («ямка» for «яма»), not other words that start with it', () => {
    const pit = stemsOf(['яма']);
    for (const text of ['Во дворе ямка', 'Заделайте ямку', 'Сплошные ямки и ямочки', 'Не проехать из-за ямок', 'Под колесом ямища']) expect(matchCount(text, pit), text).toBe(1);
    const water = stemsOf(['вода', 'газ']);
    for (const text of ['Из крана течёт ржавая водичка', 'Водица мутная', 'Пахнет газом']) expect(matchCount(text, water), text).toBe(1);
    // The words the prefix rule once took (commit 78f4fb0), and lexicalised diminutives that name something else.
    for (const text of ['Водитель автобуса нагрубил', 'Новая газета вышла', 'Газон вытоптан', 'Газель опять не пришла', 'Продают водку у школы', 'Ямальский фестиваль', 'Водоём зарос'])
      expect(matchCount(text, water.concat(pit)), text).toBe(0);
    // A long stem is still a prefix.
    expect(matchCount('Прорвало водопроводную трубу', stemsOf(['водопровод']))).toBe(1);
  });

  it('drops duplicates and one-letter words from a dictionary', () => {
    expect(stemsOf(['ямы', 'яма', 'в', ' '])).toEqual(['ям']);
  });
});
