import { describe, expect, it } from 'vitest';
import { winnerLines } from '../../../core/contests/contests.ts';
import { createTranslator } from '../../i18n.ts';
import { renderText } from '../../render-text.ts';

const t = createTranslator();

describe("a contest's winners as residents read them", () => {
  const winners = winnerLines([
    { id: 12, winnerPlace: 1 },
    { id: 15, winnerPlace: 2 },
  ]);

  it('one a line, the place and the entry in words (not «1. №12, 2. №15»), in Russian and English', () => {
    expect(renderText(t, 'ru', { key: 'contests.results', params: { title: 'Зима', winners } })).toBe('🏆 Итоги конкурса «Зима». Победители:\n1 место — работа № 12\n2 место — работа № 15');
    expect(renderText(t, 'en', { key: 'contests.results', params: { title: 'Winter', winners } })).toBe('🏆 Results of the contest “Winter”. Winners:\nPlace 1: entry #12\nPlace 2: entry #15');
    expect(renderText(t, 'ru', { key: 'contests.card_winners', params: { winners } })).toBe('🏆 Победители:\n1 место — работа № 12\n2 место — работа № 15');
    expect(renderText(t, 'en', { key: 'contests.card_winners', params: { winners } })).toBe('🏆 Winners:\nPlace 1: entry #12\nPlace 2: entry #15');
  });
});
