// RedisJSON's JSONPath grammar (json_path/src/grammar.pest of RedisJSON 2.6) run the way the pest
// parser generator runs it, only to word syntax errors as the module does: pest reports the
// farthest position where a named rule failed and the rules that were tried there ("expected one
// of the following: ..."), so the list depends on pest's own bookkeeping, which this module
// follows: a failed rule records itself at its start position unless exactly one nested rule
// failed there (then that one stays), atomic rules (@{...}) record nothing inside, silent rules
// (_{...}) never record themselves, the list is sorted in the grammar's rule order (EOI first)
// and de-duplicated. path.ts compiles paths; this recognizer runs only when that compiler refuses.

/** The grammar's rules in declaration order (pest's Rule enum: EOI first, then the file's order). */
const RULE_ORDER = [
  'EOI', 'literal', 'string', 'string_escape', 'string_value', 'string_value_escape_1', 'string_value_escape_2',
  'string_list', 'pos_number', 'number', 'decimal', 'numbers_list', 'numbers_range', 'right_range', 'all_range',
  'left_range', 'full_range', 'from_current', 'from_root', 'select_term', 'op', 'ge', 'gt', 'le', 'lt', 'eq', 'ne',
  're', 'boolean', 'boolean_true', 'boolean_false', 'null', 'term', 'single_filter', 'filter_relation', 'and', 'or',
  'inner_filter', 'filter', 'all', 'full_scan', 'bracket', 'element', 'first_element', 'root', 'simple_root',
  'query', 'simple_query', 'WHITESPACE',
] as const;

type RuleName = typeof RULE_ORDER[number];

const RULE_INDEX = new Map<RuleName, number>(RULE_ORDER.map((name, i) => [name, i]));

/** How the module names rules in its messages (its Display for Rule; others by their name). */
const DISPLAY_NAMES: Partial<Record<RuleName, string>> = {
  literal: '<string>',
  all: "'*'",
  full_scan: "'..'",
  numbers_list: "'<number>[,<number>,...]'",
  string_list: "'<string>[,<string>,...]'",
  numbers_range: "['start:end:steps']",
  number: "'<number>'",
  filter: "'[?(filter_expression)]'",
};

class PegState {
  pos = 0;
  atomic = false;
  /** The farthest position where a failure was recorded, and the rules recorded there. */
  attemptPos = 0;
  attempts: RuleName[] = [];

  constructor(readonly text: string) {}

  attemptsAt(pos: number): number {
    return this.attemptPos === pos ? this.attempts.length : 0;
  }

  /** pest's ParserState::track, for a rule that failed after starting at `pos`. */
  track(rule: RuleName, pos: number, attemptsIndex: number, attemptsBefore: number): void {
    if (this.atomic) return;
    const now = this.attemptsAt(pos);
    if (now > attemptsBefore && now - attemptsBefore === 1) return;
    if (pos === this.attemptPos) this.attempts.length = attemptsIndex;
    if (pos > this.attemptPos) {
      this.attempts = [];
      this.attemptPos = pos;
    }
    if (pos === this.attemptPos) this.attempts.push(rule);
  }
}

type Expr = (s: PegState) => boolean;

/** A named rule (pest's ParserState::rule). */
function rule(name: RuleName, expr: () => Expr): Expr {
  let body: Expr | null = null;
  return (s) => {
    body ??= expr();
    const start = s.pos;
    const attemptsIndex = start === s.attemptPos ? s.attempts.length : 0;
    const attemptsBefore = s.attemptsAt(start);
    if (body(s)) return true;
    s.track(name, start, attemptsIndex, attemptsBefore);
    return false;
  };
}

/** An atomic rule, @{...}: no implicit spaces and nothing recorded inside. */
function atomicRule(name: RuleName, expr: () => Expr): Expr {
  return rule(name, () => {
    const body = expr();
    return (s) => {
      const outer = s.atomic;
      s.atomic = true;
      const ok = body(s);
      s.atomic = outer;
      return ok;
    };
  });
}

/** A reference to a rule defined later. */
function ref(get: () => Expr): Expr {
  return (s) => get()(s);
}

function str(literal: string): Expr {
  return (s) => {
    if (!s.text.startsWith(literal, s.pos)) return false;
    s.pos += literal.length;
    return true;
  };
}

function range(from: string, to: string): Expr {
  const lo = from.charCodeAt(0);
  const hi = to.charCodeAt(0);
  return (s) => {
    const c = s.text.charCodeAt(s.pos);
    if (!(c >= lo && c <= hi)) return false;
    s.pos++;
    return true;
  };
}

/** ANY: one character, a whole UTF-8 sequence (positions are byte offsets). */
const any: Expr = (s) => {
  if (s.pos >= s.text.length) return false;
  const c = s.text.charCodeAt(s.pos);
  const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  s.pos = Math.min(s.text.length, s.pos + length);
  return true;
};

/** The implicit WHITESPACE* between the parts of non-atomic rules. */
const skip: Expr = (s) => {
  if (s.atomic) return true;
  while (s.text.charCodeAt(s.pos) === 0x20) s.pos++;
  return true;
};

/** a ~ b ~ ...: all in order (spaces skipped between outside atomic rules); all or nothing. */
function seq(...parts: Expr[]): Expr {
  return (s) => {
    const start = s.pos;
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) skip(s);
      if (!parts[i](s)) {
        s.pos = start;
        return false;
      }
    }
    return true;
  };
}

function choice(...options: Expr[]): Expr {
  return (s) => {
    for (const option of options) if (option(s)) return true;
    return false;
  };
}

function opt(e: Expr): Expr {
  return (s) => {
    e(s);
    return true;
  };
}

/** e*: e, then (spaces, e) as long as they match. */
function rep(e: Expr): Expr {
  const again = seq(skip, e);
  return (s) => {
    if (!e(s)) return true;
    while (again(s)) { /* consumed by again */ }
    return true;
  };
}

/** e+, which pest turns into e ~ e*. */
function rep1(e: Expr): Expr {
  return seq(e, rep(e));
}

/** !e: succeeds, consuming nothing, when e fails. */
function not(e: Expr): Expr {
  return (s) => {
    const start = s.pos;
    const matched = e(s);
    s.pos = start;
    return !matched;
  };
}

const digit = range('0', '9');
const nonzeroDigit = range('1', '9');

const literal = atomicRule('literal', () => rep1(choice(range('a', 'z'), range('A', 'Z'), range('0', '9'),
  str('-'), str('_'), str('`'), str('~'), str('+'), str('#'), str('%'), str('$'), str('^'), str('/'), str(':'))));

const stringEscape = atomicRule('string_escape', () => str('\\'));
const stringValue = atomicRule('string_value', () => rep(rep1(seq(not(choice(str('"'), str('\\'), str("'"))), any))));
const stringValueEscape1 = atomicRule('string_value_escape_1', () => rep(choice(
  rep1(seq(not(choice(str('"'), str('\\'))), any)), seq(stringEscape, choice(str('"'), str('\\'))))));
const stringValueEscape2 = atomicRule('string_value_escape_2', () => rep(choice(
  rep1(seq(not(choice(str("'"), str('\\'))), any)), seq(stringEscape, choice(str("'"), str('\\'))))));
const string: Expr = choice(
  seq(str("'"), stringValue, str("'")), seq(str('"'), stringValue, str('"')),
  seq(str('"'), stringValueEscape1, str('"')), seq(str("'"), stringValueEscape2, str("'")));
const stringList = rule('string_list', () => seq(string, rep(seq(str(','), string))));

const posNumber = atomicRule('pos_number', () => seq(nonzeroDigit, rep(digit)));
const number = atomicRule('number', () => choice(seq(opt(str('-')), nonzeroDigit, rep(digit)), seq(opt(str('-')), digit)));
const decimal = atomicRule('decimal', () => seq(number, opt(seq(str('.'), rep1(digit)))));
const numbersList = rule('numbers_list', () => seq(number, rep(seq(str(','), number))));

const stepTail = (): Expr => opt(choice(seq(str(':'), posNumber), str(':')));
const rightRange = rule('right_range', () => seq(str(':'), number, stepTail()));
const allRange = rule('all_range', () => seq(str(':'), stepTail()));
const leftRange = rule('left_range', () => seq(number, str(':'), stepTail()));
const fullRange = rule('full_range', () => seq(number, str(':'), number, stepTail()));
const numbersRange = rule('numbers_range', () => choice(fullRange, rightRange, allRange, leftRange));

const root: Expr = ref(() => rootRule);
const fromCurrent = rule('from_current', () => seq(str('@'), opt(root)));
const fromRoot = rule('from_root', () => seq(str('$'), opt(root)));
const selectTerm = choice(fromCurrent, fromRoot);

const op = choice(atomicRule('ge', () => str('>=')), atomicRule('gt', () => str('>')), atomicRule('le', () => str('<=')),
  atomicRule('lt', () => str('<')), atomicRule('eq', () => str('==')), atomicRule('ne', () => str('!=')), atomicRule('re', () => str('=~')));
const boolean = choice(atomicRule('boolean_true', () => str('true')), atomicRule('boolean_false', () => str('false')));
const nullTerm = atomicRule('null', () => str('null'));
const term = choice(selectTerm, decimal, string, boolean, nullTerm);
const singleFilter = rule('single_filter', () => choice(seq(term, op, term), term));
const filterRelation = choice(rule('and', () => str('&&')), rule('or', () => str('||')));
const filter: Expr = ref(() => filterRule);
const innerFilter = choice(singleFilter, seq(str('('), filter, str(')')));
const filterRule = rule('filter', () => seq(innerFilter, rep(seq(filterRelation, innerFilter))));

const all = rule('all', () => str('*'));
const fullScan = rule('full_scan', () => str('..'));
const bracket = choice(numbersRange, numbersList, stringList, all, seq(str('?'), filter));
const element = choice(
  seq(str('.'), literal),
  seq(fullScan, choice(literal, all, seq(str('['), bracket, str(']')))),
  seq(str('.'), all),
  seq(opt(str('.')), str('['), bracket, str(']')));
const firstElement = choice(literal, all);
const rootRule = rule('root', () => seq(choice(element, firstElement), rep(element)));
const soi: Expr = (s) => s.pos === 0;
const eoi = rule('EOI', () => (s: PegState) => s.pos === s.text.length);
const query = seq(soi, str('$'), opt(root), eoi);

/**
 * The module's message for a path its grammar refuses ("Error occurred on position N, ..."),
 * or null when the grammar accepts the path.
 */
export function grammarError(path: string): string | null {
  const s = new PegState(path);
  if (query(s)) return null;
  const expected = [...new Set(s.attempts)].sort((a, b) => (RULE_INDEX.get(a) ?? 0) - (RULE_INDEX.get(b) ?? 0));
  const message = expected.length === 0
    ? 'parsing error'
    : `expected one of the following: ${expected.map((r) => DISPLAY_NAMES[r] ?? r).join(', ')}`;
  const at = s.attemptPos;
  const where = at === path.length ? `"${path} <<<<----"` : `"${path.slice(0, at)} ---->>>> ${path.slice(at)}"`;
  return `Error occurred on position ${at}, ${where}, ${message}.`;
}
