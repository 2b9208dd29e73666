/** "Did you mean …?" for a mistyped command or flag: the closest known name, if close enough. */

/** Levenshtein distance (insert, delete, substitute; a swap of two neighbours counts once). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate `word` most likely meant: the nearest one within a third of the word's length
 * (at least 1 edit, at most 3), or the only candidate that starts with a word of 3+ characters.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best) return best.name;
  const prefixed = word.length >= 3 ? candidates.filter((name) => name.startsWith(word)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** ` Did you mean "x"?` or nothing. */
export function didYouMean(word: string, candidates: readonly string[], quote = true): string {
  const match = closest(word, candidates);
  if (match === undefined) return '';
  return ` Did you mean ${quote ? JSON.stringify(match) : match}?`;
}
