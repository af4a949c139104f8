// Latency recording in nanoseconds with HdrHistogram: exact enough at every percentile (3
// significant digits) without keeping every sample.
import * as hdr from "hdr-histogram-js";

export interface LatencySummary {
  readonly count: number;
  readonly meanNs: number;
  readonly minNs: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
}

export interface LatencyRecorder {
  record(ns: number): void;
  summary(): LatencySummary;
}

export function createLatencyRecorder(): LatencyRecorder {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  return {
    record(ns) {
      histogram.recordValue(Math.max(1, Math.round(ns)));
    },
    summary() {
      const count = histogram.totalCount;
      return {
        count,
        meanNs: count === 0 ? 0 : histogram.mean,
        minNs: count === 0 ? 0 : histogram.minNonZeroValue,
        p50Ns: histogram.getValueAtPercentile(50),
        p90Ns: histogram.getValueAtPercentile(90),
        p99Ns: histogram.getValueAtPercentile(99),
        p999Ns: histogram.getValueAtPercentile(99.9),
        maxNs: histogram.maxValue,
      };
    },
  };
}
