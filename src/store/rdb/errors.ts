// The one error the RDB codec raises: the input is not a valid serialization. Readers and
// decoders throw nothing else for bad input (every length and offset is checked before use), so
// callers catch exactly this class and turn it into Redis's reply ("ERR Bad data format") or load
// failure; any other exception is a bug and is left to propagate.

export class RdbFormatError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RdbFormatError';
  }
}

/** Throws RdbFormatError: for conditions a decoder checks inline. */
export function corrupt(reason: string): never {
  throw new RdbFormatError(reason);
}

/**
 * Not an error of the data: a reader over an image still arriving (RdbReader.partial) reached the
 * end of the bytes it has. The loader rewinds to the record's start and waits for more.
 */
export class RdbShortInput extends Error {
  constructor() {
    super('more RDB input needed');
    this.name = 'RdbShortInput';
  }
}
