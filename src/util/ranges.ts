// Redis's start/end index normalisation for inclusive ranges over a string of `length` units
// (GETRANGE over bytes, BITCOUNT/BITPOS over bytes or bits): a negative index counts from the
// end, then both are clamped into the string. A start past the end means an empty range.

/** The normalised first index: negative from the end, never below 0. */
export function rangeStart(index: number, length: number): number {
  const i = index < 0 ? length + index : index;
  return i < 0 ? 0 : i;
}

/** The normalised last index: negative from the end, clamped into [0, length - 1] (-1 when empty). */
export function rangeEnd(index: number, length: number): number {
  const i = index < 0 ? length + index : index;
  const clamped = i < 0 ? 0 : i;
  return clamped >= length ? length - 1 : clamped;
}
