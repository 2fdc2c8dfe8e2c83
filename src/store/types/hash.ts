// Hash values.

/** Hash: insertion-ordered map; `compact` mirrors Redis's listpack encoding until it converts. */
export class HashValue {
  readonly kind = 'hash' as const;
  readonly map = new Map<string, string>();
  compact = true;
}
