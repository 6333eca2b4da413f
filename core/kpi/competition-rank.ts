/**
 * Standard competition ranking («1224») over rows already sorted best first: rows with an equal
 * score share the rank of the first of them, and the next score's rank skips as many places
 * (two municipalities on 75 both 2nd, the next 4th). The order among equals (the sort's
 * tie-breaks) is only the order of listing.
 */
export function competitionRanks<T extends { score: number }>(sorted: T[]): (T & { rank: number })[] {
  let rank = 0;
  return sorted.map((row, i) => {
    if (i === 0 || row.score !== sorted[i - 1]!.score) rank = i + 1;
    return { ...row, rank };
  });
}
