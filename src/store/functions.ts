// The function library registry (FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE), kept with the
// dataset and persisted in RDB as FUNCTION2 records of each library's code. Functions are
// indexed by name across libraries (FCALL looks them up there). The scripting engine attaches
// what it compiled to the FunctionInfo objects; the registry only holds the code and metadata.

export interface FunctionInfo {
  readonly name: string;
  readonly description: string | null;
  /** Script flag names, in Redis's order of its flag table (FUNCTION LIST shows them so). */
  readonly flags: readonly string[];
  readonly library: FunctionLibrary;
}

export interface FunctionLibrary {
  readonly name: string;
  /** The engine's name as registered ("LUA"). */
  readonly engine: string;
  /** The whole code, shebang included (FUNCTION LIST WITHCODE, DUMP, RDB). */
  readonly code: string;
  readonly functions: Map<string, FunctionInfo>;
}

export class FunctionLibraries {
  readonly libraries = new Map<string, FunctionLibrary>();
  /** Every function of every library, by lower-cased name (FCALL names are case-insensitive). */
  private readonly functions = new Map<string, FunctionInfo>();

  clear(): void {
    this.libraries.clear();
    this.functions.clear();
  }

  /** Adds a library and its functions (the caller checked that no name collides). */
  link(library: FunctionLibrary): void {
    this.libraries.set(library.name, library);
    for (const fn of library.functions.values()) this.functions.set(fn.name.toLowerCase(), fn);
  }

  unlink(library: FunctionLibrary): void {
    this.libraries.delete(library.name);
    for (const fn of library.functions.values()) this.functions.delete(fn.name.toLowerCase());
  }

  /** The function named so, in any letter case. */
  functionNamed(name: string): FunctionInfo | undefined {
    return this.functions.get(name.toLowerCase());
  }

  get functionCount(): number {
    return this.functions.size;
  }
}
