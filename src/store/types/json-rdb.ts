// RDB codec of JSON documents in the module-type format RedisJSON's files use, so a Redis Stack
// server with RedisJSON loads our files and DUMP payloads and we load theirs: RDB_TYPE_MODULE_2,
// the 64-bit module id (the type name "ReJSON-RL" in Redis's 64-symbol charset, 6 bits a char,
// then the 10-bit encoding version), then the module's fields, each preceded by its opcode, and
// the EOF opcode. RedisJSON's encoding version 3 is one string field, the compact document;
// version 2 (older RedisJSON 2.x files) adds an unsigned count and, when non-zero, two strings
// that it ignores. Version 0 (RedisJSON 1.x's own tree format) is not read.

import type { RdbTypeCodec } from '../rdb/codec.js';
import { RDB_TYPE_MODULE_2 } from '../rdb/constants.js';
import { corrupt } from '../rdb/errors.js';
import { JSON_TYPE_NAME, JsonValue } from './json.js';
import { JsonSyntaxError, parseStoredJson } from '../../json/parse.js';
import { serializeCompact } from '../../json/serialize.js';

/** Redis's module.c opcodes (RDB_MODULE_OPCODE_*). */
const OPCODE_EOF = 0;
const OPCODE_UINT = 2;
const OPCODE_STRING = 5;
/** The encoding version RedisJSON 2.x writes (REDIS_JSON_TYPE_VERSION). */
const JSON_ENCVER = 3;
/** Redis's ModuleTypeNameCharSet. */
const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** moduleTypeEncodeId: 9 chars of 6 bits, then the encoding version's 10 bits. */
export function moduleTypeId(name: string, encver: number): bigint {
  let id = 0n;
  for (const ch of name) id = (id << 6n) | BigInt(CHARSET.indexOf(ch));
  return (id << 10n) | BigInt(encver & 1023);
}

const TYPE_ID_BASE = moduleTypeId(JSON_TYPE_NAME, 0);
const TYPE_ID = moduleTypeId(JSON_TYPE_NAME, JSON_ENCVER);

export const jsonCodec: RdbTypeCodec<JsonValue> = {
  kind: 'ReJSON-RL',
  objectType: 5,
  rdbTypes: [RDB_TYPE_MODULE_2],
  rdbTypeOf() {
    return RDB_TYPE_MODULE_2;
  },
  write(value, out) {
    out.length64(TYPE_ID);
    out.len(OPCODE_STRING);
    out.string(serializeCompact(value.root));
    out.len(OPCODE_EOF);
  },
  read(_rdbType, input) {
    const id = input.lenBig();
    if (id >> 10n !== TYPE_ID_BASE >> 10n) corrupt('The RDB file contains module data of a module type this server does not have');
    const encver = Number(id & 1023n);
    if (encver !== 2 && encver !== 3) corrupt(`Can't load old RedisJSON RDB: ${encver}`);
    if (input.len() !== OPCODE_STRING) corrupt('Module data: string expected');
    const text = input.string();
    if (encver === 2) {
      if (input.len() !== OPCODE_UINT) corrupt('Module data: unsigned expected');
      if (input.lenBig() > 0n) {
        for (let i = 0; i < 2; i++) {
          if (input.len() !== OPCODE_STRING) corrupt('Module data: string expected');
          input.string();
        }
      }
    }
    if (input.len() !== OPCODE_EOF) corrupt('Module data: EOF expected');
    try {
      return new JsonValue(parseStoredJson(text));
    } catch (err) {
      if (err instanceof JsonSyntaxError) return corrupt(`JSON document: ${err.message}`);
      throw err;
    }
  },
  digest() {
    // RedisJSON declares no digest callback: DEBUG DIGEST folds in the type only.
  },
};
