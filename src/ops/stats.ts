// Small, exact statistics for the reports: nearest-rank percentiles and equal-width histograms
// over the values actually seen (no sampling, the logs are read whole).

/** Nearest-rank percentile of ascending-sorted values; p in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export interface Bin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** `bins` equal-width bins from min to max (the last one closed); one bin when all values are equal. */
export function histogram(sorted: readonly number[], bins = 10): Bin[] {
  if (sorted.length === 0) return [];
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  if (min === max) return [{ from: min, to: max, count: sorted.length }];
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
  return counts.map((count, i) => ({ from: min + i * width, to: i === bins - 1 ? max : min + (i + 1) * width, count }));
}

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** A parameter value as a number the way the policy reads amounts: JSON numbers and plain decimal strings. */
export function numericValue(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && PLAIN_DECIMAL.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
