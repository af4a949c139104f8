import { closest, distance } from "fastest-levenshtein";

// A suggestion only when the word is a plausible typo of a candidate: at most a third of its
// letters off (at least one), ignoring case, so "mode" never suggests "tenant".
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || candidates.includes(word)) return undefined;
  const lowered = candidates.map((c) => c.toLowerCase());
  const best = closest(word.toLowerCase(), lowered);
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  if (distance(word.toLowerCase(), best) > allowed) return undefined;
  return candidates[lowered.indexOf(best)];
}

export function suggestionSuffix(word: string, candidates: readonly string[]): string {
  const guess = didYouMean(word, candidates);
  return guess === undefined ? "" : `; did you mean \`${guess}\`?`;
}
