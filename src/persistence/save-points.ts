// The `save <seconds> <changes>` points: a background save starts once at least `changes`
// writes happened and more than `seconds` passed since the last successful save (serverCron).

export interface SavePoint {
  readonly seconds: number;
  readonly changes: number;
}

/** The directive's value as the config store keeps it ("3600 1 300 100", or "" for none). */
export function parseSavePoints(text: string): SavePoint[] {
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  const points: SavePoint[] = [];
  for (let i = 0; i + 1 < words.length; i += 2) points.push({ seconds: Number(words[i]), changes: Number(words[i + 1]) });
  return points;
}

/** The first point reached, if any (Redis checks them in order and takes the first). */
export function reachedSavePoint(points: readonly SavePoint[], dirty: number, secondsSinceSave: number): SavePoint | null {
  for (const point of points) {
    if (dirty >= point.changes && secondsSinceSave > point.seconds) return point;
  }
  return null;
}
