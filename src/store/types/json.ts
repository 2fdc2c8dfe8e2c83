// JSON documents (RedisJSON's type): the document model of src/json/ under one key. TYPE answers
// "ReJSON-RL" as with the module, and OBJECT ENCODING "raw", as Redis answers for module values.

import { JsonDocument } from '../../json/document.js';
import { cloneNode } from '../../json/model.js';

export const JSON_TYPE_NAME = 'ReJSON-RL';

/** The document (its edits keep its byte count: json/document.ts) with the store's fields. */
export class JsonValue extends JsonDocument {
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;

  /** TYPE's answer (on the prototype: no per-object slot). */
  get kind(): 'ReJSON-RL' {
    return 'ReJSON-RL';
  }

  encoding(): string {
    return 'raw';
  }

  clone(): JsonValue {
    return new JsonValue(cloneNode(this.root));
  }
}
