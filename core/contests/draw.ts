import { createHash, randomBytes } from 'node:crypto';

/**
 * The verifiable random draw (README "Contests"). Anyone can recompute it from the published data:
 *
 * 1. When entries open, the app picks a seed (32 random bytes, written as 64 lowercase hex
 *    characters) and publishes its commitment: SHA-256 of the seed's 64 ASCII characters, in hex.
 * 2. At the draw it reveals the seed. Anyone checks `sha256(seed) == commitment`.
 * 3. The candidates are the ids of the accepted entries, sorted ascending.
 * 4. For round r = 0, 1, … while winners are wanted and candidates remain:
 *    d = SHA-256 of the ASCII text `<seed>:<r>` (e.g. `9f…e1:0`); x = the first 8 bytes of d as an
 *    unsigned big-endian integer; the winner of round r is the candidate at index x mod (candidates
 *    left), removed from the candidates. Place r+1 goes to that entry.
 * (The modulo bias is below 2^-40 for fewer than 2^24 candidates.)
 */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export function commitmentOf(seed: string): string {
  return createHash('sha256').update(seed, 'ascii').digest('hex');
}

/** The winners in place order (1st first): a pure function of the seed and the entry ids. */
export function drawWinners(seed: string, entryIds: readonly number[], count: number): number[] {
  const candidates = [...entryIds].sort((a, b) => a - b);
  const winners: number[] = [];
  for (let round = 0; winners.length < count && candidates.length > 0; round++) {
    const digest = createHash('sha256').update(`${seed}:${round}`, 'ascii').digest();
    const x = digest.readBigUInt64BE(0);
    const index = Number(x % BigInt(candidates.length));
    winners.push(candidates.splice(index, 1)[0]!);
  }
  return winners;
}
