// RDB codec of strings (RDB_TYPE_STRING): the string encodings of rdbSaveRawString (32-bit
// integers in 1-4 bytes, LZF past 20 bytes when rdbcompression is on, else length + bytes).

import type { RdbTypeCodec } from '../rdb/codec.js';
import { RDB_TYPE_STRING } from '../rdb/constants.js';
import type { MutableString } from '../values.js';

export const stringCodec: RdbTypeCodec<string | MutableString> = {
  kind: 'string',
  objectType: 0,
  rdbTypes: [RDB_TYPE_STRING],
  rdbTypeOf() {
    return RDB_TYPE_STRING;
  },
  write(value, out) {
    if (typeof value === 'string') out.string(value);
    else out.stringBytes(value.bytes());
  },
  read(_rdbType, input) {
    // Redis's tryObjectEncoding on load is what the plain string representation reports anyway
    // (int, embstr or raw by content and length).
    return input.string();
  },
  digest(value, digest) {
    digest.mix(typeof value === 'string' ? value : value.bytes());
  },
};
