// The function library registry (FUNCTION LOAD/LIST/FLUSH, persisted with the dataset in RDB).
// Libraries are added by the scripting capability; until it lands the registry stays empty,
// and FLUSH/LIST operate on it exactly as Redis does on an empty one.

export interface FunctionInfo {
  name: string;
  description: string | null;
  flags: readonly string[];
}

export interface FunctionLibrary {
  name: string;
  engine: string;
  code: string;
  functions: Map<string, FunctionInfo>;
}

export class FunctionLibraries {
  readonly libraries = new Map<string, FunctionLibrary>();

  clear(): void {
    this.libraries.clear();
  }
}
