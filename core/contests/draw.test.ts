import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitmentOf, drawWinners, newSeed } from './draw.ts';

describe('the verifiable draw', () => {
  it('commits with SHA-256 of the seed text and draws deterministically from the seed and the sorted ids', () => {
    const seed = newSeed();
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(commitmentOf(seed)).toBe(createHash('sha256').update(seed).digest('hex'));
    const ids = [42, 7, 19, 3, 88, 51];
    const winners = drawWinners(seed, ids, 3);
    expect(winners).toHaveLength(3);
    expect(new Set(winners).size).toBe(3);
    for (const w of winners) expect(ids).toContain(w);
    // The order of the list given does not matter; the seed does.
    expect(drawWinners(seed, [...ids].reverse(), 3)).toEqual(winners);
    expect(drawWinners(seed, ids, 6).slice(0, 3)).toEqual(winners);
    expect(drawWinners(seed, ids, 10)).toHaveLength(6);
    expect(drawWinners(seed, [], 3)).toEqual([]);
  });

  it('matches a worked example (a fixed seed), so the documentation can be checked by hand', () => {
    const seed = '0'.repeat(64);
    // Round 0: sha256("000…0:0") first 8 bytes mod 4 picks among [1, 2, 3, 4]; round 1 among the three left.
    const first = BigInt(`0x${createHash('sha256').update(`${seed}:0`).digest('hex').slice(0, 16)}`);
    const candidates = [1, 2, 3, 4];
    const expectedFirst = candidates[Number(first % 4n)]!;
    expect(drawWinners(seed, [4, 3, 2, 1], 1)).toEqual([expectedFirst]);
  });
});
