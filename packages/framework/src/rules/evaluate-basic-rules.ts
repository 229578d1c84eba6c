import type { JsonValue } from '../document/json.js';
import type { BasicRule } from './parse-basic-rules.js';

/** The outcome of evaluating basic rules against one document. */
export interface RuleDecision {
  /** Whether the document is ingested. */
  readonly included: boolean;
  /** Id of the rule that decided, or undefined when no rule matched (included by default). */
  readonly ruleId: string | undefined;
}

/** Evaluates basic rules against documents and counts matches per rule. */
export interface BasicRuleEvaluator {
  /** First matching rule decides; no match includes the document. */
  evaluate(document: Readonly<Record<string, unknown>>): RuleDecision;
  /** Number of documents each rule decided, by rule id. */
  readonly matchCounts: ReadonlyMap<string, number>;
  /** Whether there is any rule to evaluate. */
  readonly isEmpty: boolean;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Python-like `str(v)` for JSON values (booleans as `True`/`False`, like the reference). */
function toText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function compileRegex(source: string): RegExp | undefined {
  try {
    // Python `re.match`: anchored at the start only.
    return new RegExp(`^(?:${source})`);
  } catch {
    return undefined;
  }
}

type Comparison = -1 | 0 | 1 | undefined;

function compareTyped(docValue: JsonValue, ruleValue: string): Comparison {
  if (typeof docValue === 'number') {
    const trimmed = ruleValue.trim();
    const number = trimmed === '' ? Number.NaN : Number(trimmed);
    if (Number.isNaN(number)) return undefined;
    return docValue < number ? -1 : docValue > number ? 1 : 0;
  }
  if (typeof docValue === 'boolean') {
    // Fixes the reference's bug (spec 13.12): compare as booleans, not against "True"/"False".
    const lowered = ruleValue.trim().toLowerCase();
    if (lowered !== 'true' && lowered !== 'false') return undefined;
    const ruleBool = lowered === 'true';
    return docValue === ruleBool ? 0 : Number(docValue) < Number(ruleBool) ? -1 : 1;
  }
  if (typeof docValue === 'string') {
    if (ISO_DATE.test(docValue) && ISO_DATE.test(ruleValue.trim())) {
      const a = Date.parse(docValue);
      const b = Date.parse(ruleValue.trim());
      if (!Number.isNaN(a) && !Number.isNaN(b)) return a < b ? -1 : a > b ? 1 : 0;
    }
    return docValue < ruleValue ? -1 : docValue > ruleValue ? 1 : 0;
  }
  const text = toText(docValue);
  return text < ruleValue ? -1 : text > ruleValue ? 1 : 0;
}

function matches(rule: BasicRule, docValue: JsonValue, regex: RegExp | undefined): boolean {
  switch (rule.rule) {
    case 'equals':
      return compareTyped(docValue, rule.value) === 0;
    case '<':
      return compareTyped(docValue, rule.value) === -1;
    case '>':
      return compareTyped(docValue, rule.value) === 1;
    case 'contains':
      return toText(docValue).includes(rule.value);
    case 'starts_with':
      return toText(docValue).startsWith(rule.value);
    case 'ends_with':
      return toText(docValue).endsWith(rule.value);
    case 'regex':
      return regex?.test(toText(docValue)) ?? false;
    default:
      return false;
  }
}

/**
 * Creates an evaluator for parsed basic rules (spec 6.2): the first matching rule decides, a missing (or
 * null) field never matches, `regex` is anchored at the start like Python's `re.match`, and `equals`/`<`/`>`
 * coerce the rule value to the document value's type (numbers, booleans, ISO dates, else strings).
 */
export function createBasicRuleEvaluator(rules: readonly BasicRule[]): BasicRuleEvaluator {
  const compiled = rules.map((rule) => ({
    rule,
    regex: rule.rule === 'regex' ? compileRegex(rule.value) : undefined,
  }));
  const matchCounts = new Map<string, number>();
  return {
    matchCounts,
    isEmpty: compiled.length === 0,
    evaluate(document) {
      for (const { rule, regex } of compiled) {
        if (!Object.hasOwn(document, rule.field)) continue;
        const value = document[rule.field] as JsonValue | undefined;
        if (value === undefined || value === null) continue;
        if (matches(rule, value, regex)) {
          matchCounts.set(rule.id, (matchCounts.get(rule.id) ?? 0) + 1);
          return { included: rule.policy === 'include', ruleId: rule.id };
        }
      }
      return { included: true, ruleId: undefined };
    },
  };
}
