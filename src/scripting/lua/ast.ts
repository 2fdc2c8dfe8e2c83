// The syntax tree the parser hands the code generator. Names are already resolved: every local
// variable is one LocalVar object (so shadowing and upvalues need no further lookup), globals
// keep their name. `line` fields are the line 5.1 would attribute to the instruction that can fail
// there (the last token consumed when lcode emitted it), used in runtime error positions.

export interface LocalVar {
  readonly name: string;
  /** A JavaScript identifier unique within the chunk. */
  readonly jsName: string;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '..' | '==' | '~=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { readonly k: 'nil' }
  | { readonly k: 'true' }
  | { readonly k: 'false' }
  | { readonly k: 'number'; readonly value: number }
  | { readonly k: 'string'; readonly value: string }
  | { readonly k: 'vararg' }
  | { readonly k: 'function'; readonly fn: FunctionNode }
  | { readonly k: 'local'; readonly v: LocalVar }
  | { readonly k: 'upvalue'; readonly v: LocalVar }
  | { readonly k: 'global'; readonly name: string; readonly line: number }
  | { readonly k: 'index'; readonly obj: Expr; readonly key: Expr; readonly line: number }
  | { readonly k: 'call'; readonly fn: Expr; readonly args: Expr[]; readonly line: number }
  | { readonly k: 'method'; readonly obj: Expr; readonly name: string; readonly args: Expr[]; readonly line: number }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr; readonly line: number }
  | { readonly k: 'and'; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'or'; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'not'; readonly a: Expr }
  | { readonly k: 'neg'; readonly a: Expr; readonly line: number }
  | { readonly k: 'len'; readonly a: Expr; readonly line: number }
  | { readonly k: 'paren'; readonly e: Expr }
  | { readonly k: 'table'; readonly items: TableItem[]; readonly line: number };

export type TableItem =
  | { readonly k: 'positional'; readonly value: Expr }
  | { readonly k: 'keyed'; readonly key: Expr; readonly value: Expr; readonly line: number };

/** A statement as parsed; the chunk adds where it starts (Stat). */
export type StatNode =
  | { readonly k: 'local'; readonly vars: LocalVar[]; readonly exprs: Expr[] }
  | { readonly k: 'localfunction'; readonly v: LocalVar; readonly fn: FunctionNode }
  | { readonly k: 'assign'; readonly targets: Expr[]; readonly exprs: Expr[]; readonly line: number }
  | { readonly k: 'call'; readonly call: Expr }
  | { readonly k: 'do'; readonly body: Stat[] }
  | { readonly k: 'while'; readonly cond: Expr; readonly body: Stat[] }
  | { readonly k: 'repeat'; readonly body: Stat[]; readonly cond: Expr; readonly untilLine: number }
  | { readonly k: 'if'; readonly clauses: { cond: Expr; body: Stat[] }[]; readonly orelse: Stat[] | null }
  | {
      readonly k: 'fornum';
      readonly v: LocalVar;
      readonly start: Expr;
      readonly limit: Expr;
      readonly step: Expr | null;
      readonly body: Stat[];
      /** The line of `do`: 5.1 checks the loop values there (OP_FORPREP). */
      readonly line: number;
    }
  | { readonly k: 'forin'; readonly vars: LocalVar[]; readonly exprs: Expr[]; readonly body: Stat[]; readonly line: number }
  | { readonly k: 'return'; readonly exprs: Expr[]; readonly line: number }
  | { readonly k: 'break' };

/**
 * A statement of a block. `at` is the line the debugger stops at before it runs: where it starts,
 * or for a function definition the line of its `end` (5.1 emits OP_CLOSURE there).
 */
export type Stat = StatNode & { readonly at: number };

export interface FunctionNode {
  readonly params: LocalVar[];
  readonly isVararg: boolean;
  /** LUA_COMPAT_VARARG: a vararg function whose body never uses `...` gets a local `arg` table. */
  argVar: LocalVar | null;
  readonly body: Stat[];
  readonly line: number;
  /** The line of its `end` (the last line, for a chunk): where its implicit return is. */
  readonly endLine: number;
  usesVararg: boolean;
}
