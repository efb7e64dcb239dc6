// Label selectors with the full grammar of apimachinery labels.Parse, including its lexer quirks
// and error messages, so `?labelSelector=` behaves (and fails) like a real API server:
//
//   <selector>    ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=") VALUE ]
//
// plus `gt`/`lt` (written `>` / `<`), which the API server also accepts.
import type { LabelSelector } from '../types.js';
import { type Item, type Tok, scan } from './labelLexer.js';
import { aggregate, invalidValue, isQualifiedName, isValidLabelValue } from './validation.js';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** From a parsed string: sorted and deduplicated, as Go's sets.String.List(). */
  values: string[];
}

export type Labels = Record<string, string> | undefined | null;

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context the keywords `in`/`notin` are plain identifiers ("x in (in)"). */
  private peek(values = true): Item {
    const it = this.items[this.pos]!;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values = true): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      const t = this.next();
      if (t.tok === 'eos') return reqs;
      if (t.tok !== ',') throw new Error(`found '${t.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek();
      if (t2.tok !== 'id' && t2.tok !== '!') throw new Error(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let t = this.next();
    let operator: LabelOperator | undefined;
    if (t.tok === '!') {
      operator = '!';
      t = this.next();
    }
    if (t.tok !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new Error(invalidValue('<nil>', key, keyErrs.join('; ')));
    // "!key" is complete by itself; whatever follows is the caller's problem ("!a=b" fails on '=').
    if (operator === '!') return newRequirement(key, '!', []);
    const after = this.peek().tok;
    if (after === 'eos' || after === ',') return newRequirement(key, 'exists', []);

    const op = this.next(false);
    const ops: Partial<Record<Tok, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const binop = ops[op.tok];
    if (!binop) throw new Error(`found '${op.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = binop === 'in' || binop === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, binop, [...new Set(values)].sort());
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek();
    if (tok === ')') {
      this.next();
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
    const vals: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.tok === 'id') {
        vals.push(t.lit);
        const t2 = this.peek();
        if (t2.tok === ')') break;
        if (t2.tok !== ',') throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        // "(,a", "(a,,b)" and "(a,)" all contribute an empty value.
        if (vals.length === 0) vals.push('');
        const t2 = this.peek().tok;
        if (t2 === ')' || t2 === ',') vals.push('');
        if (t2 === ')') break;
      } else {
        throw new Error(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
    // Go reports the literal seen when the value list began, not the token found here.
    if (this.next().tok !== ')') throw new Error(`found '${lit}', expected: ')'`);
    return vals;
  }

  private exactValue(): string[] {
    const { tok } = this.peek();
    if (tok === 'eos' || tok === ',') return [''];
    const t = this.next();
    if (t.tok === 'id') return [t.lit];
    throw new Error(`found '${t.lit}', expected: identifier`);
  }
}

/** Go's %#v of a []string, as field errors print a bad value set. */
const goSlice = (vals: string[]) => `[]string{${vals.map((v) => JSON.stringify(v)).join(', ')}}`;
const isInt = (v: string) => /^[-+]?\d+$/.test(v);

/** NewRequirement's validation and messages, with the field paths the parser gives (a nil root). */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalidValue('key', key, keyErrs.join('; ')));
  const bad = (detail: string) => errs.push(`values: Invalid value: ${goSlice(values)}: ${detail}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) bad("for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) bad('exact-match compatibility requires one single value');
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) bad('values set must be empty for exists and does not exist');
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) bad("for 'Gt', 'Lt' operators, exactly one value is required");
      values.forEach((v, i) => {
        if (!isInt(v)) errs.push(invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
  }
  values.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(invalidValue(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  const msg = aggregate(errs);
  if (msg) throw new Error(msg);
  return { key, operator, values };
}

/**
 * Parses a label selector string (labels.Parse). The empty string selects everything (no
 * requirements). Throws an Error carrying the API server's message on bad syntax.
 */
export function parseLabelSelector(s: string): LabelRequirement[] {
  const reqs = new Parser(scan(s)).parse();
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function matchesRequirement(r: LabelRequirement, labels: Labels): boolean {
  const has = !!labels && Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(val!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(val!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isInt(val!) || r.values.length !== 1 || !isInt(r.values[0]!)) return false;
      const lv = BigInt(val!);
      const rv = BigInt(r.values[0]!);
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** True when every requirement matches (an empty list matches everything). */
export function matchesLabels(reqs: LabelRequirement[], labels: Labels): boolean {
  return reqs.every((r) => matchesRequirement(r, labels));
}

/**
 * metav1.LabelSelectorAsSelector: a missing selector matches nothing, an empty one everything;
 * matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) are ANDed.
 */
export function labelSelectorRequirements(sel: LabelSelector | null | undefined): LabelRequirement[] | null {
  if (!sel) return null;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (!op) throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
  }
  return reqs;
}

export function matchLabelSelector(sel: LabelSelector | null | undefined, labels: Labels): boolean {
  const reqs = labelSelectorRequirements(sel);
  return reqs !== null && matchesLabels(reqs, labels);
}

/** labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}
