// Memory figures: what the process holds (V8 heap plus buffers outside it) and Redis's human
// format. used_memory itself is the node's own count (server/used-memory.ts).

/** The memory the process uses for data and code (V8 heap plus buffers outside it). */
export function usedMemoryBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Redis's bytesToHuman: B, then K, M, G, T, P with two decimals. */
export function bytesToHuman(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let value = bytes / 1024;
  for (const unit of units) {
    if (value < 1024 || unit === 'P') return `${value.toFixed(2)}${unit}`;
    value /= 1024;
  }
  return `${bytes}B`;
}
