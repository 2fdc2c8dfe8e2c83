// The RDB codec of values kept undecoded (store/types/unsanitized.ts): written back byte for byte
// under their own RDB type, digested from those bytes. It claims no RDB type for reading: such a
// value is only made by store/rdb/shallow.ts once the type's own codec refused the record.

import type { RdbTypeCodec } from '../rdb/codec.js';
import { corrupt } from '../rdb/errors.js';
import type { UnsanitizedValue } from './unsanitized.js';

/** Redis's OBJ_* numbers for the types an unsanitized value can have. */
const OBJECT_TYPES = { list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

interface UnsanitizedCodec extends RdbTypeCodec<UnsanitizedValue> {
  /** The OBJ_* number of this value's TYPE (the codec serves every type). */
  objectTypeOf(value: UnsanitizedValue): number;
}

export const unsanitizedCodec: UnsanitizedCodec = {
  // kind and objectType are per value here (objectTypeOf); these are never consulted for it.
  kind: 'list',
  objectType: OBJECT_TYPES.list,
  rdbTypes: [],
  objectTypeOf: (value) => OBJECT_TYPES[value.typeName],
  rdbTypeOf: (value) => value.rdbType,
  write(value, out) {
    out.bytes(value.body);
  },
  read() {
    return corrupt('Unsanitized values are not read by type');
  },
  digest(value, digest) {
    // Nothing of the contents can be walked: the serialization stands for them.
    digest.mix(value.body);
  },
};
