// Lua 5.1's parser (lparser.c) producing a syntax tree: the same grammar, the same checks in the
// same order, so every syntax error has 5.1's text and position ("'=' expected near 'x'",
// "'end' expected (to close 'function' at line 1) near '<eof>'", the limits on locals, upvalues
// and nesting).

import type { BinaryOp, Expr, FunctionNode, LocalVar, Stat, StatNode, TableItem } from './ast.js';
import { Lexer, Tok } from './lexer.js';

/** LUAI_MAXVARS: active local variables per function. */
const MAX_LOCALS = 200;
/** LUAI_MAXUPVALUES. */
const MAX_UPVALUES = 60;
/** LUAI_MAXCCALLS: parser nesting ("chunk has too many syntax levels"). */
const MAX_SYNTAX_LEVELS = 200;

interface BlockScope {
  readonly activeAtEntry: number;
  readonly isBreakable: boolean;
}

class FuncState {
  readonly active: LocalVar[] = [];
  readonly blocks: BlockScope[] = [];
  readonly upvalues: LocalVar[] = [];
  usesVararg = false;

  constructor(
    readonly prev: FuncState | null,
    readonly line: number,
    public isVararg: boolean,
  ) {}
}

const BINARY_PRIORITY: Record<number, [number, number, BinaryOp | 'and' | 'or']> = {
  43: [6, 6, '+'],
  45: [6, 6, '-'],
  42: [7, 7, '*'],
  47: [7, 7, '/'],
  37: [7, 7, '%'],
  94: [10, 9, '^'],
  [Tok.Concat]: [5, 4, '..'],
  [Tok.Ne]: [3, 3, '~='],
  [Tok.Eq]: [3, 3, '=='],
  60: [3, 3, '<'],
  [Tok.Le]: [3, 3, '<='],
  62: [3, 3, '>'],
  [Tok.Ge]: [3, 3, '>='],
  [Tok.And]: [2, 2, 'and'],
  [Tok.Or]: [1, 1, 'or'],
};

const UNARY_PRIORITY = 8;

export interface ParsedChunk {
  readonly main: FunctionNode;
}

export function parseChunk(source: string, chunkName: string, initialLevel = 0): ParsedChunk {
  return new Parser(source, chunkName, initialLevel).parseMain();
}

/**
 * The function a statement starts by defining (`function f() ... end`, `local f = function ...`):
 * 5.1 emits its OP_CLOSURE, the statement's first instruction, at the line of its `end`.
 */
function definedFunction(stat: StatNode): FunctionNode | null {
  if (stat.k === 'localfunction') return stat.fn;
  if ((stat.k === 'assign' || stat.k === 'local') && stat.exprs.length > 0 && stat.exprs[0].k === 'function') return stat.exprs[0].fn;
  return null;
}

function isBlockFollow(token: number): boolean {
  return token === Tok.Else || token === Tok.Elseif || token === Tok.End || token === Tok.Until || token === Tok.Eos;
}

class Parser {
  private readonly lex: Lexer;
  private fs!: FuncState;
  private level: number;
  private varCounter = 0;

  constructor(source: string, chunkName: string, initialLevel: number) {
    this.lex = new Lexer(source, chunkName);
    this.level = initialLevel;
  }

  parseMain(): ParsedChunk {
    this.fs = new FuncState(null, 0, true);
    this.lex.next();
    const body = this.chunk();
    this.check(Tok.Eos);
    const main: FunctionNode = {
      params: [],
      isVararg: true,
      argVar: null,
      body,
      line: 0,
      endLine: this.lex.lastline,
      usesVararg: this.fs.usesVararg,
    };
    return { main };
  }

  // ---- helpers ----

  private get token(): number {
    return this.lex.t.token;
  }

  private errorExpected(token: number): never {
    return this.lex.syntaxError(`'${Lexer.tokenText(token)}' expected`);
  }

  private errorLimit(limit: number, what: string): never {
    const message =
      this.fs.line === 0
        ? `main function has more than ${limit} ${what}`
        : `function at line ${this.fs.line} has more than ${limit} ${what}`;
    return this.lex.lexError(message, 0);
  }

  private testNext(token: number): boolean {
    if (this.token === token) {
      this.lex.next();
      return true;
    }
    return false;
  }

  private check(token: number): void {
    if (this.token !== token) this.errorExpected(token);
  }

  private checkNext(token: number): void {
    this.check(token);
    this.lex.next();
  }

  private checkMatch(what: number, who: number, where: number): void {
    if (!this.testNext(what)) {
      if (where === this.lex.linenumber) this.errorExpected(what);
      this.lex.syntaxError(
        `'${Lexer.tokenText(what)}' expected (to close '${Lexer.tokenText(who)}' at line ${where})`,
      );
    }
  }

  private checkName(): string {
    this.check(Tok.Name);
    const name = this.lex.t.text;
    this.lex.next();
    return name;
  }

  private enterLevel(): void {
    if (++this.level > MAX_SYNTAX_LEVELS) this.lex.lexError('chunk has too many syntax levels', 0);
  }

  private leaveLevel(): void {
    this.level--;
  }

  // ---- variables ----

  private newLocal(name: string, pending: number): LocalVar {
    if (this.fs.active.length + pending + 1 > MAX_LOCALS) this.errorLimit(MAX_LOCALS, 'local variables');
    const safe = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : 'v';
    return { name, jsName: `${safe}$${++this.varCounter}` };
  }

  private activate(vars: LocalVar[]): void {
    for (const v of vars) this.fs.active.push(v);
  }

  private enterBlock(isBreakable: boolean): void {
    this.fs.blocks.push({ activeAtEntry: this.fs.active.length, isBreakable });
  }

  private leaveBlock(): void {
    const block = this.fs.blocks.pop() as BlockScope;
    this.fs.active.length = block.activeAtEntry;
  }

  /** singlevaraux: a local of `fs`, an upvalue through every function in between, or null. */
  private resolve(fs: FuncState | null, name: string): { v: LocalVar; local: boolean } | null {
    if (fs === null) return null;
    for (let i = fs.active.length - 1; i >= 0; i--) {
      if (fs.active[i].name === name) return { v: fs.active[i], local: true };
    }
    const outer = this.resolve(fs.prev, name);
    if (outer === null) return null;
    if (!fs.upvalues.includes(outer.v)) {
      if (fs.upvalues.length + 1 > MAX_UPVALUES) {
        const saved = this.fs;
        this.fs = fs;
        this.errorLimit(MAX_UPVALUES, 'upvalues');
        this.fs = saved;
      }
      fs.upvalues.push(outer.v);
    }
    return { v: outer.v, local: false };
  }

  private singleVar(): Expr {
    const line = this.lex.linenumber;
    const name = this.checkName();
    const found = this.resolve(this.fs, name);
    if (found === null) return { k: 'global', name, line };
    return found.local ? { k: 'local', v: found.v } : { k: 'upvalue', v: found.v };
  }

  // ---- statements ----

  private chunk(): Stat[] {
    const stats: Stat[] = [];
    let isLast = false;
    this.enterLevel();
    while (!isLast && !isBlockFollow(this.token)) {
      const startLine = this.lex.linenumber;
      const stat = this.statement();
      stats.push({ ...stat, at: definedFunction(stat)?.endLine ?? startLine });
      isLast = stat.k === 'return' || stat.k === 'break';
      this.testNext(59);
    }
    this.leaveLevel();
    return stats;
  }

  private block(): Stat[] {
    this.enterBlock(false);
    const body = this.chunk();
    this.leaveBlock();
    return body;
  }

  private statement(): StatNode {
    const line = this.lex.linenumber;
    switch (this.token) {
      case Tok.If:
        return this.ifStat(line);
      case Tok.While:
        return this.whileStat(line);
      case Tok.Do: {
        this.lex.next();
        const body = this.block();
        this.checkMatch(Tok.End, Tok.Do, line);
        return { k: 'do', body };
      }
      case Tok.For:
        return this.forStat(line);
      case Tok.Repeat:
        return this.repeatStat(line);
      case Tok.Function:
        return this.funcStat(line);
      case Tok.Local:
        this.lex.next();
        if (this.testNext(Tok.Function)) return this.localFunc();
        return this.localStat();
      case Tok.Return:
        return this.retStat();
      case Tok.Break:
        this.lex.next();
        return this.breakStat();
      default:
        return this.exprStat();
    }
  }

  private cond(): Expr {
    return this.expr();
  }

  private ifStat(line: number): StatNode {
    const clauses: { cond: Expr; body: Stat[] }[] = [];
    this.lex.next();
    let cond = this.cond();
    this.checkNext(Tok.Then);
    clauses.push({ cond, body: this.block() });
    while (this.token === Tok.Elseif) {
      this.lex.next();
      cond = this.cond();
      this.checkNext(Tok.Then);
      clauses.push({ cond, body: this.block() });
    }
    let orelse: Stat[] | null = null;
    if (this.token === Tok.Else) {
      this.lex.next();
      orelse = this.block();
    }
    this.checkMatch(Tok.End, Tok.If, line);
    return { k: 'if', clauses, orelse };
  }

  private whileStat(line: number): StatNode {
    this.lex.next();
    const cond = this.cond();
    this.enterBlock(true);
    this.checkNext(Tok.Do);
    const body = this.block();
    this.checkMatch(Tok.End, Tok.While, line);
    this.leaveBlock();
    return { k: 'while', cond, body };
  }

  private repeatStat(line: number): StatNode {
    this.enterBlock(true);
    this.enterBlock(false);
    this.lex.next();
    const body = this.chunk();
    const untilLine = this.lex.linenumber;
    this.checkMatch(Tok.Until, Tok.Repeat, line);
    const cond = this.cond();
    this.leaveBlock();
    this.leaveBlock();
    return { k: 'repeat', body, cond, untilLine };
  }

  private forStat(line: number): StatNode {
    this.enterBlock(true);
    this.lex.next();
    const name = this.checkName();
    let stat: StatNode;
    switch (this.token) {
      case 61:
        stat = this.forNum(name);
        break;
      case 44:
      case Tok.In:
        stat = this.forList(name);
        break;
      default:
        return this.lex.syntaxError("'=' or 'in' expected");
    }
    this.checkMatch(Tok.End, Tok.For, line);
    this.leaveBlock();
    return stat;
  }

  /** The three hidden control variables 5.1 declares for every loop. */
  private hiddenLocals(names: string[]): LocalVar[] {
    return names.map((name, i) => this.newLocal(name, i));
  }

  /** Parses `do block`; `doLine` receives the line of `do`, where 5.1 puts OP_FORPREP. */
  private forBody(hidden: LocalVar[], declared: LocalVar[], doLine?: { line: number }): Stat[] {
    this.activate(hidden);
    this.checkNext(Tok.Do);
    if (doLine !== undefined) doLine.line = this.lex.lastline;
    this.enterBlock(false);
    this.activate(declared);
    const body = this.block();
    this.leaveBlock();
    return body;
  }

  private forNum(name: string): StatNode {
    const hidden = this.hiddenLocals(['(for index)', '(for limit)', '(for step)']);
    const v = this.newLocal(name, 3);
    this.checkNext(61);
    const start = this.expr();
    this.checkNext(44);
    const limit = this.expr();
    let step: Expr | null = null;
    if (this.testNext(44)) step = this.expr();
    const prep = { line: 0 };
    const body = this.forBody(hidden, [v], prep);
    return { k: 'fornum', v, start, limit, step, body, line: prep.line };
  }

  private forList(firstName: string): StatNode {
    const hidden = this.hiddenLocals(['(for generator)', '(for state)', '(for control)']);
    const vars = [this.newLocal(firstName, 3)];
    while (this.testNext(44)) vars.push(this.newLocal(this.checkName(), vars.length + 3));
    this.checkNext(Tok.In);
    const line = this.lex.linenumber;
    const exprs = this.exprList();
    const body = this.forBody(hidden, vars);
    return { k: 'forin', vars, exprs, body, line };
  }

  private funcStat(line: number): StatNode {
    this.lex.next();
    let target = this.singleVar();
    let needSelf = false;
    while (this.token === 46) target = this.field(target);
    if (this.token === 58) {
      needSelf = true;
      target = this.field(target);
    }
    const fn = this.body(needSelf, line);
    return { k: 'assign', targets: [target], exprs: [{ k: 'function', fn }], line };
  }

  private localFunc(): StatNode {
    const v = this.newLocal(this.checkName(), 0);
    this.activate([v]);
    const fn = this.body(false, this.lex.linenumber);
    return { k: 'localfunction', v, fn };
  }

  private localStat(): StatNode {
    const vars: LocalVar[] = [];
    do {
      vars.push(this.newLocal(this.checkName(), vars.length));
    } while (this.testNext(44));
    let exprs: Expr[] = [];
    if (this.testNext(61)) exprs = this.exprList();
    this.activate(vars);
    return { k: 'local', vars, exprs };
  }

  private retStat(): StatNode {
    const line = this.lex.linenumber;
    this.lex.next();
    let exprs: Expr[] = [];
    if (!isBlockFollow(this.token) && this.token !== 59) exprs = this.exprList();
    return { k: 'return', exprs, line };
  }

  private breakStat(): StatNode {
    const blocks = this.fs.blocks;
    let i = blocks.length - 1;
    while (i >= 0 && !blocks[i].isBreakable) i--;
    if (i < 0) this.lex.syntaxError('no loop to break');
    return { k: 'break' };
  }

  private exprStat(): StatNode {
    const first = this.primaryExp();
    if (first.k === 'call' || first.k === 'method') return { k: 'call', call: first };
    const targets = [first];
    return this.assignment(targets);
  }

  private assignment(targets: Expr[]): StatNode {
    const last = targets[targets.length - 1];
    if (last.k !== 'local' && last.k !== 'upvalue' && last.k !== 'global' && last.k !== 'index') {
      this.lex.syntaxError('syntax error');
    }
    if (this.testNext(44)) {
      targets.push(this.primaryExp());
      if (targets.length - 1 > MAX_SYNTAX_LEVELS - this.level) {
        this.errorLimit(MAX_SYNTAX_LEVELS - this.level, 'variables in assignment');
      }
      return this.assignment(targets);
    }
    this.checkNext(61);
    const exprs = this.exprList();
    return { k: 'assign', targets, exprs, line: this.lex.lastline };
  }

  // ---- functions ----

  private body(needSelf: boolean, line: number): FunctionNode {
    const fs = new FuncState(this.fs, line, false);
    this.fs = fs;
    this.checkNext(40);
    const params: LocalVar[] = [];
    if (needSelf) {
      const self = this.newLocal('self', 0);
      params.push(self);
      this.activate([self]);
    }
    let argVar: LocalVar | null = null;
    const declared: LocalVar[] = [];
    if (this.token !== 41) {
      do {
        if (this.token === Tok.Name) {
          declared.push(this.newLocal(this.checkName(), declared.length));
        } else if (this.token === Tok.Dots) {
          this.lex.next();
          argVar = this.newLocal('arg', declared.length);
          fs.isVararg = true;
        } else {
          this.lex.syntaxError("<name> or '...' expected");
        }
      } while (!fs.isVararg && this.testNext(44));
    }
    this.activate(declared);
    if (argVar !== null) this.activate([argVar]);
    params.push(...declared);
    this.checkNext(41);
    const body = this.chunk();
    this.checkMatch(Tok.End, Tok.Function, line);
    this.fs = fs.prev as FuncState;
    return { params, isVararg: fs.isVararg, argVar, body, line, endLine: this.lex.lastline, usesVararg: fs.usesVararg };
  }

  // ---- expressions ----

  private exprList(): Expr[] {
    const exprs = [this.expr()];
    while (this.testNext(44)) exprs.push(this.expr());
    return exprs;
  }

  private field(obj: Expr): Expr {
    this.lex.next();
    const name = this.checkName();
    return { k: 'index', obj, key: { k: 'string', value: name }, line: this.lex.lastline };
  }

  private yIndex(): Expr {
    this.lex.next();
    const e = this.expr();
    this.checkNext(93);
    return e;
  }

  private constructorExpr(): Expr {
    const line = this.lex.linenumber;
    const items: TableItem[] = [];
    this.checkNext(123);
    do {
      if (this.token === 125) break;
      if (this.token === Tok.Name) {
        this.lex.lookahead();
        if (this.lex.lookaheadToken.token !== 61) {
          items.push({ k: 'positional', value: this.expr() });
        } else {
          items.push(this.recField());
        }
      } else if (this.token === 91) {
        items.push(this.recField());
      } else {
        items.push({ k: 'positional', value: this.expr() });
      }
    } while (this.testNext(44) || this.testNext(59));
    this.checkMatch(125, 123, line);
    return { k: 'table', items, line };
  }

  private recField(): TableItem {
    let key: Expr;
    if (this.token === Tok.Name) key = { k: 'string', value: this.checkName() };
    else key = this.yIndex();
    this.checkNext(61);
    const value = this.expr();
    return { k: 'keyed', key, value, line: this.lex.lastline };
  }

  private funcArgs(): { args: Expr[]; line: number } {
    const line = this.lex.linenumber;
    switch (this.token) {
      case 40: {
        if (line !== this.lex.lastline) this.lex.syntaxError('ambiguous syntax (function call x new statement)');
        this.lex.next();
        const args = this.lex.t.token === (41 as number) ? [] : this.exprList();
        this.checkMatch(41, 40, line);
        return { args, line };
      }
      case 123:
        return { args: [this.constructorExpr()], line };
      case Tok.String: {
        const value = this.lex.t.text;
        this.lex.next();
        return { args: [{ k: 'string', value }], line };
      }
      default:
        return this.lex.syntaxError('function arguments expected');
    }
  }

  private prefixExp(): Expr {
    switch (this.token) {
      case 40: {
        const line = this.lex.linenumber;
        this.lex.next();
        const e = this.expr();
        this.checkMatch(41, 40, line);
        return { k: 'paren', e };
      }
      case Tok.Name:
        return this.singleVar();
      default:
        return this.lex.syntaxError('unexpected symbol');
    }
  }

  private primaryExp(): Expr {
    let e = this.prefixExp();
    for (;;) {
      switch (this.token) {
        case 46:
          e = this.field(e);
          break;
        case 91: {
          const key = this.yIndex();
          e = { k: 'index', obj: e, key, line: this.lex.lastline };
          break;
        }
        case 58: {
          this.lex.next();
          const name = this.checkName();
          const { args, line } = this.funcArgs();
          e = { k: 'method', obj: e, name, args, line };
          break;
        }
        case 40:
        case Tok.String:
        case 123: {
          const { args, line } = this.funcArgs();
          e = { k: 'call', fn: e, args, line };
          break;
        }
        default:
          return e;
      }
    }
  }

  private simpleExp(): Expr {
    let e: Expr;
    switch (this.token) {
      case Tok.Number:
        e = { k: 'number', value: this.lex.t.number };
        break;
      case Tok.String:
        e = { k: 'string', value: this.lex.t.text };
        break;
      case Tok.Nil:
        e = { k: 'nil' };
        break;
      case Tok.True:
        e = { k: 'true' };
        break;
      case Tok.False:
        e = { k: 'false' };
        break;
      case Tok.Dots:
        if (!this.fs.isVararg) this.lex.syntaxError("cannot use '...' outside a vararg function");
        this.fs.usesVararg = true;
        e = { k: 'vararg' };
        break;
      case 123:
        return this.constructorExpr();
      case Tok.Function: {
        this.lex.next();
        const fn = this.body(false, this.lex.linenumber);
        return { k: 'function', fn };
      }
      default:
        return this.primaryExp();
    }
    this.lex.next();
    return e;
  }

  private subExpr(limit: number): { e: Expr; op: number } {
    this.enterLevel();
    let e: Expr;
    const token = this.token;
    if (token === Tok.Not || token === 45 || token === 35) {
      this.lex.next();
      const operand = this.subExpr(UNARY_PRIORITY).e;
      const line = this.lex.lastline;
      if (token === Tok.Not) e = { k: 'not', a: operand };
      else if (token === 45) e = operand.k === 'number' ? { k: 'number', value: -operand.value } : { k: 'neg', a: operand, line };
      else e = { k: 'len', a: operand, line };
    } else {
      e = this.simpleExp();
    }
    let op = this.token;
    let info = BINARY_PRIORITY[op];
    while (info !== undefined && info[0] > limit) {
      this.lex.next();
      const next = this.subExpr(info[1]);
      const kind = info[2];
      if (kind === 'and') e = { k: 'and', a: e, b: next.e };
      else if (kind === 'or') e = { k: 'or', a: e, b: next.e };
      else e = { k: 'binary', op: kind, a: e, b: next.e, line: this.lex.lastline };
      op = next.op;
      info = BINARY_PRIORITY[op];
    }
    this.leaveLevel();
    return { e, op };
  }

  private expr(): Expr {
    return this.subExpr(0).e;
  }
}
