// RDB format constants (rdb.h of Redis 7.0): version, object types, opcodes, length and string
// encodings.

/** The RDB version Redis 7.0 writes; DUMP payloads and files up to this version are read. */
export const RDB_VERSION = 10;

// Object types: the byte before a value.
export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
/** Sorted set with binary doubles (RDB 8+). */
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
/** Quicklist of ziplists (Redis 3.2 - 6.2). */
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
/** Quicklist of listpacks with PLAIN/PACKED nodes (7.0). */
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
/** Streams with first id, max deleted id, entries added and group read counters (7.0). */
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;

/** rdbIsObjectType: the bytes that introduce a value (8 was never used). */
export function isObjectType(type: number): boolean {
  return (type >= 0 && type <= 7) || (type >= 9 && type <= 19);
}

// Opcodes of the file format (never inside a DUMP payload).
export const RDB_OPCODE_FUNCTION2 = 245;
export const RDB_OPCODE_FUNCTION = 246;
export const RDB_OPCODE_MODULE_AUX = 247;
export const RDB_OPCODE_IDLE = 248;
export const RDB_OPCODE_FREQ = 249;
export const RDB_OPCODE_AUX = 250;
export const RDB_OPCODE_RESIZEDB = 251;
export const RDB_OPCODE_EXPIRETIME_MS = 252;
export const RDB_OPCODE_EXPIRETIME = 253;
export const RDB_OPCODE_SELECTDB = 254;
export const RDB_OPCODE_EOF = 255;

// Length encodings: the two top bits of the first byte.
export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_ENCVAL = 3;

// Special string encodings (after an RDB_ENCVAL length byte).
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

// Quicklist 2 node containers.
export const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
export const QUICKLIST_NODE_CONTAINER_PACKED = 2;
