// The read-only face of the configuration that the public API hands out (loadConfig() in
// src/index.ts): users read values without depending on the Config class, which stays internal.

import type { DirectiveName } from './directives.js';
import type { LiveSettings } from './live.js';
import type { ConfigValue } from './types.js';

export interface ConfigView {
  /** The redis.conf loaded, as an absolute path, or null when none was given. */
  readonly configFile: string | null;
  /**
   * A directive's value by name or alias: a number for int and memory (bytes) directives, a
   * boolean for yes/no ones, text for the others (as CONFIG GET shows most of them).
   */
  get(name: DirectiveName): ConfigValue;
  /** The typed settings of config/live.ts (protoMaxBulkLenBytes, timeoutSec, ...). */
  readonly live: Readonly<LiveSettings>;
}
