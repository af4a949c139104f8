// prom-client's Histogram.observe validates and hashes the label object on every call; on the
// check path that was ~1.2% of a Check's server CPU. This observes into the same series entry
// prom-client created for a label value, so exposition, reset() and aggregation stay prom-client's.
// It reads prom-client internals (hashMap entries: sum, count, bucketValues by upper bound);
// fast-observe.test.ts compares the exposition with plain observe() so an upgrade that changes
// them fails there.
import type { Histogram } from "prom-client";

interface SeriesEntry {
  sum: number;
  count: number;
  readonly bucketValues: Record<string, number>;
  readonly labels: Readonly<Record<string, string | number>>;
}
interface HistogramInternals {
  hashMap: Record<string, SeriesEntry>;
  readonly upperBounds: readonly number[];
}

/** observe(value) for one label value of `histogram` (no label: the unlabelled series). */
export function fastObserver<L extends string>(histogram: Histogram<L>, labelName?: L): (labelValue: string, value: number) => void {
  const internals = histogram as unknown as HistogramInternals;
  let map: Record<string, SeriesEntry> | null = null;
  const entries = new Map<string, SeriesEntry>();
  // Bucket keys as the strings the entry is keyed by: a number key is converted on every lookup.
  const bounds = internals.upperBounds;
  const boundKeys = bounds.map(String);
  return (labelValue, value) => {
    if (internals.hashMap !== map) {
      // reset() replaced the series: find them again.
      map = internals.hashMap;
      entries.clear();
    }
    let entry = entries.get(labelValue);
    if (entry === undefined || !Number.isFinite(value)) {
      // The first observation of a series (or one prom-client refuses) goes through prom-client.
      if (labelName === undefined) histogram.observe(value);
      else histogram.observe({ [labelName]: labelValue } as Partial<Record<L, string>>, value);
      entry = Object.values(internals.hashMap).find((e) => (labelName === undefined ? Object.keys(e.labels).length === 0 : e.labels[labelName] === labelValue));
      if (entry !== undefined) entries.set(labelValue, entry);
      return;
    }
    entry.sum += value;
    entry.count += 1;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        entry.bucketValues[boundKeys[i]!]! += 1;
        return;
      }
    }
  };
}
