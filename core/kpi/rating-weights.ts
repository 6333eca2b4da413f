/** KPI_RATING_WEIGHTS, parsed where the configuration is read (config.ts) and by the ratings (ratings.ts). */

/** Weights of the combined score (configuration: KPI_RATING_WEIGHTS); each ≥ 0, not all 0. */
export interface RatingWeights {
  quantity: number;
  quality: number;
  speed: number;
  completeness: number;
}

export const DEFAULT_RATING_WEIGHTS: RatingWeights = { quantity: 1, quality: 1, speed: 1, completeness: 1 };

/** Parses `quantity=1,quality=2,speed=1,completeness=1` (names may be left out: default 1). */
export function parseRatingWeights(text: string | undefined): RatingWeights {
  const weights = { ...DEFAULT_RATING_WEIGHTS };
  if (!text) return weights;
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || !(name in weights) || value === undefined || !/^\d+(\.\d+)?$/.test(value))
      throw new Error(`KPI_RATING_WEIGHTS: bad entry '${part}' (expected quantity|quality|speed|completeness=<number ≥ 0>)`);
    weights[name as keyof RatingWeights] = Number(value);
  }
  if (Object.values(weights).every((w) => w === 0)) throw new Error('KPI_RATING_WEIGHTS: at least one weight must be above 0');
  return weights;
}
