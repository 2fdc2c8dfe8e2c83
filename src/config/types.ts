// Shapes of the directive table. One declaration per redis.conf directive drives config files,
// command-line flags, and CONFIG GET/SET/REWRITE.

export type DirectiveKind = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'special';
export type ConfigValue = number | boolean | string;

export interface DirectiveSpec {
  /** Canonical lower-case name, as CONFIG GET reports it. */
  name: string;
  /** Older name accepted everywhere (slaveof, hash-max-ziplist-entries...). */
  alias?: string;
  kind: DirectiveKind;
  /** Default as it would be written in redis.conf (e.g. "yes", "512mb", "notice"). */
  defaultText: string;
  /** CONFIG SET may change it at run time. */
  mutable: boolean;
  min?: number;
  max?: number;
  /** Allowed words of an enum, in Redis's order (used in its error message). */
  values?: readonly string[];
  /** Takes several arguments on one line (save, bind, client-output-buffer-limit...). */
  multiArg?: boolean;
  /**
   * In a config file, the first line replaces the default and later lines append to it; an
   * empty argument clears it (Redis's `save`). CONFIG SET always replaces.
   */
  appendsInFile?: boolean;
  /** Not reported by CONFIG GET patterns, like Redis's HIDDEN_CONFIG. */
  hidden?: boolean;
  /** Value hidden from CONFIG REWRITE logs; compared as a secret. */
  sensitive?: boolean;
  /** Listed in a crash report's CONFIG DEBUG OUTPUT (Redis's DEBUG_CONFIG). */
  debugInfo?: boolean;
  /** Only settable when enable-protected-configs allows it. */
  protectedConfig?: boolean;
  /** CONFIG SET refuses it with LOADING while a dataset loads (Redis's DENY_LOADING_CONFIG). */
  denyLoading?: boolean;
  /**
   * A later capability owns this directive: its default is accepted (so stock redis.conf files
   * load), any other value stops start-up / fails CONFIG SET, never silently ignored.
   */
  reservedFor?: string;
  /**
   * For 'special' kinds: parse and canonicalize the arguments, or return an error text. `current`
   * is the directive's value before this change (client-output-buffer-limit merges into it).
   */
  parse?: (args: readonly string[], current: string) => { value: string } | { error: string };
  /** For 'memory' kinds: also accepts "N%" (stored as -N), like Redis's PERCENT_CONFIG. */
  percent?: boolean;
  /** Adjusts an accepted value before it is stored (hz is clamped to 1..500, as Redis does). */
  normalize?: (value: number) => number;
  /**
   * How a stored value is shown by CONFIG GET and written by CONFIG REWRITE, when that differs
   * from what is kept (notify-keyspace-events keeps the classes given, shows Redis's form).
   */
  display?: (value: string) => string;
  /** For 'string' kinds: extra validation, returns an error text. */
  validate?: (value: string) => string | null;
}

export class ConfigFileError extends Error {
  constructor(readonly lineNumber: number, readonly lineText: string, readonly reason: string) {
    super(reason);
  }
}

/** What CONFIG REWRITE offers a writer of extra lines (the sentinel's state). */
export interface ConfigRewriteLines {
  /** Puts `line` in place of the option's next old line, or appends it when `force`. */
  rewriteLine(option: string, line: string, force: boolean): void;
  /** The option was handled: its old lines not rewritten are removed. */
  markProcessed(option: string): void;
}
