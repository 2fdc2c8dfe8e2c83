// Per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM): the bucket layout of the
// HdrHistogram Redis uses (1 ns .. 1 s, 2 significant digits), so percentiles and bucket bounds
// come out as Redis reports them. Each command's counts live in its CommandStats.

/** Sub-buckets per bucket (2 significant digits -> 256), as the half-count's magnitude. */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
/** Counts for values 1 ns .. 1e9 ns (Redis's LATENCY_HISTOGRAM_MIN/MAX_VALUE). */
export const LATENCY_HISTOGRAM_SLOTS = 24 * SUB_BUCKET_HALF_COUNT;
const MIN_VALUE_NS = 1;
const MAX_VALUE_NS = 1_000_000_000;

function bucketOf(valueNs: number): number {
  return 31 - Math.clz32(valueNs | 255) - SUB_BUCKET_HALF_MAGNITUDE;
}

function slotOf(valueNs: number): number {
  const bucket = bucketOf(valueNs);
  // Values are integers below 2^30 (clamped to 1e9 ns): a shift, not a floating-point power.
  const sub = valueNs >>> bucket;
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
}

/** Lowest value counted in a slot. */
function slotValue(slot: number): number {
  let bucket = (slot >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (slot & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** Highest value equivalent to `valueNs` at this precision (what percentiles report). */
function highestEquivalent(valueNs: number): number {
  const bucket = bucketOf(valueNs);
  const lowest = Math.floor(valueNs / 2 ** bucket) * 2 ** bucket;
  return lowest + 2 ** bucket - 1;
}

/** Counts one call lasting `durationNs` (clamped into the tracked range). */
export function recordLatency(histogram: Float64Array, durationNs: number): void {
  const v = durationNs < MIN_VALUE_NS ? MIN_VALUE_NS : durationNs > MAX_VALUE_NS ? MAX_VALUE_NS : Math.floor(durationNs);
  histogram[slotOf(v)]++;
}

export function newLatencyHistogram(): Float64Array {
  return new Float64Array(LATENCY_HISTOGRAM_SLOTS);
}

export function histogramTotal(histogram: Float64Array): number {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i];
  return total;
}

/** hdr_value_at_percentile: the highest equivalent value at which `percentile` % is reached. */
export function histogramPercentileNs(histogram: Float64Array, percentile: number): number {
  return histogramPercentilesNs(histogram, [percentile])[0];
}

/**
 * Several percentiles in one walk over the slots (INFO latencystats asks three per command; a
 * walk per percentile, each summing the 3,072 slots first, cost ~30 us a command).
 */
export function histogramPercentilesNs(histogram: Float64Array, percentiles: readonly number[]): number[] {
  const values = new Array<number>(percentiles.length).fill(0);
  const total = histogramTotal(histogram);
  if (total === 0) return values;
  const order = percentiles.map((_, i) => i).sort((a, b) => percentiles[a] - percentiles[b]);
  const wanted = order.map((i) => Math.max(1, Math.floor((Math.min(percentiles[i], 100) / 100) * total + 0.5)));
  let next = 0;
  let seen = 0;
  for (let slot = 0; slot < histogram.length && next < order.length; slot++) {
    seen += histogram[slot];
    while (next < order.length && seen >= wanted[next]) {
      values[order[next]] = highestEquivalent(slotValue(slot));
      next++;
    }
  }
  return values;
}

/**
 * LATENCY HISTOGRAM's cumulative buckets: at each power of two from 1024 ns, the count of calls
 * up to that level's slot, reported in microseconds when it grew (Redis's log iterator walk).
 */
export function histogramCdf(histogram: Float64Array): Array<[number, number]> {
  const total = histogramTotal(histogram);
  const out: Array<[number, number]> = [];
  let cumulative = 0;
  let previous = 0;
  let slot = 0;
  for (let level = 1024; ; level *= 2) {
    const levelSlot = slotOf(Math.min(level, 2 ** 31 - 1));
    if (level > MAX_VALUE_NS * 2 || levelSlot >= histogram.length) break;
    for (; slot <= levelSlot; slot++) cumulative += histogram[slot];
    if (cumulative > previous) out.push([Math.floor(highestEquivalent(level) / 1000), cumulative]);
    previous = cumulative;
    if (cumulative >= total) break;
  }
  return out;
}
