import { describe, expect, it } from 'vitest';
import { competitionRanks } from './competition-rank.ts';

describe('competition ranks', () => {
  it('equal scores share a rank and the next score skips the places taken (1, 2, 2, 4)', () => {
    const rows = [80, 75, 75, 60, 60, 60, 0].map((score, i) => ({ id: i, score }));
    expect(competitionRanks(rows).map((r) => r.rank)).toEqual([1, 2, 2, 4, 4, 4, 7]);
    expect(competitionRanks(rows)[1]).toEqual({ id: 1, score: 75, rank: 2 });
    expect(competitionRanks([])).toEqual([]);
    expect(competitionRanks([{ score: 0 }, { score: 0 }]).map((r) => r.rank)).toEqual([1, 1]);
  });
});
