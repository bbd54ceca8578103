/**
 * A small memo of the values made for the last few keys. A worker runs the tasks of one search (its
 * folds, its repeats) one after another, and each task would otherwise redo the same preparation.
 * A key promises that the same key always means the same inputs (callers make keys unique per run).
 */
export function recentMemo<T>(size: number): (key: string | undefined, make: () => T) => T {
  const cache = new Map<string, T>();
  return (key, make) => {
    if (key === undefined) return make();
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const made = make();
    cache.set(key, made);
    if (cache.size > size) cache.delete(cache.keys().next().value!);
    return made;
  };
}
