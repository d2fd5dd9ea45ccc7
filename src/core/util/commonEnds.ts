/**
 * How many leading and trailing items two sequences (lines, or a line's characters) share: `prefix` from the start,
 * then `suffix` from the end of what is left, so that the two never overlap. The changed middle is
 * `a.slice(prefix, a.length - suffix)` against `b.slice(prefix, b.length - suffix)`.
 */
export function commonEnds<T>(a: ArrayLike<T>, b: ArrayLike<T>): { prefix: number; suffix: number } {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  return { prefix, suffix };
}
