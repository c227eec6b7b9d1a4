import { Constant, type Expression, ExpressionType } from 'adaptive-expressions';
import * as ACData from 'adaptivecards-templating';

/**
 * Binds the card templates (cards/templates/*.json, the designer-editable source) to data without the generic
 * expression evaluator. `adaptivecards-templating` evaluates every `${…}` through adaptive-expressions on every render
 * (a memory object, an options object and a result object per expression, a path string split per property access);
 * that was about 9 % of the CPU of a card action (issue 14). The binder compiles each template once into closures that
 * do the same thing, and supports exactly the template language our templates use:
 *
 * - `"${path}"` (a whole string: the value itself, any type, the data's own object), `"text ${path} text"` (a string);
 *   paths are `a.b.c`, `$root.a.b`, `$data` and `$data.a`, property names looked up as adaptive-expressions does
 *   (case-insensitively, `null`/`undefined`/`''`/`0` along the way give `undefined`), a path with no value gives the
 *   text `${path}` (the library's substitution), except inside comparisons and logic;
 * - `$when` (kept only if the expression is `true`; an evaluation error is `false`) and `$data` (an array repeats the
 *   object, with `$data` the item; an object becomes `$data`), dropped from the output like the library's reserved keys;
 * - the operators `==`, `!=` (one side a constant), `>`, `&&`, `||`, `!`, and the functions `count` and `exists`,
 *   with adaptive-expressions' results for missing values, errors and non-boolean operands;
 * - the library's array rules: an element that expands to `null` is left out, one that expands to an array is spread.
 *
 * Expressions are parsed by the library itself (`Template.parseInterpolatedString`), so a template parses exactly as
 * before; anything else (another function or operator, an index `a[0]`, `$index`, `$host`, a templated key, a `$when`
 * or `$data` that is not one expression, a substitution callback in `GlobalSettings`) is refused when the template is
 * compiled, at module load, so a new template cannot silently render differently. test/unit/cards/templateBinder.test.ts
 * renders every card fixture with both and asserts the same output.
 */
export type BoundTemplate = (root: unknown) => unknown;

/** The reserved keys the library leaves out of an expanded object (EvaluationContext._reservedFields). */
const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** An evaluation error in adaptive-expressions' sense (a result with `error`), not an exception of the binder. */
class EvaluationError {
  constructor(readonly message: string) {}
}

/** The scope of one node: the template's root and the current `$data`. */
interface Scope {
  root: unknown;
  data: unknown;
}

/** A compiled expression: `subst` is adaptive-expressions' `nullSubstitution` (on where the library turns it on). */
type Evaluate = (scope: Scope, subst: boolean) => unknown;
/** A compiled template node: its expanded value. */
type Expand = (scope: Scope) => unknown;

/** Compiles a card template once; throws at once for anything the binder does not support. */
export function compileTemplate(template: unknown, name = 'template'): BoundTemplate {
  if (ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString !== undefined) {
    throw new Error(`${name}: GlobalSettings.getUndefinedFieldValueSubstitutionString is set; the template binder does not support it`);
  }
  const expand = compileNode(template, `${name}:`);
  return (root: unknown) => expand({ root, data: root });
}

function fail(where: string, what: string): never {
  throw new Error(`card template ${where}: ${what} is not supported by the template binder (cards/templateBinder.ts)`);
}

// ------------------------------------------------------------------------------------------------ template nodes

function compileNode(node: unknown, where: string): Expand {
  if (typeof node === 'string') return compileString(node, where);
  if (Array.isArray(node)) return compileArray(node, where);
  if (typeof node === 'object' && node !== null) return compileObject(node as Record<string, unknown>, where);
  return () => node;
}

function compileString(text: string, where: string): Expand {
  const parsed = ACData.Template.parseInterpolatedString(text);
  if (typeof parsed === 'string') return () => parsed;
  if (parsed.type === ExpressionType.Concat) {
    // An interpolated string: each part evaluated on its own; a part that fails shows as `${part}`.
    const parts = parsed.children.map((child) => ({ evaluate: compileExpression(child, where), source: '${' + child.toString() + '}' }));
    return (scope) => {
      let result = '';
      for (const part of parts) {
        let value: unknown;
        try {
          value = part.evaluate(scope, true);
        } catch {
          value = part.source;
        }
        // As the library: `.toString()` of the value (a null value throws, as it does there).
        result += (value as { toString(): string }).toString();
      }
      return result;
    };
  }
  const evaluate = compileExpression(parsed, where);
  return (scope) => valueOf(evaluate, scope);
}

/** A whole-string expression or `$data`: the value (with substitution); an evaluation error throws, as the library. */
function valueOf(evaluate: Evaluate, scope: Scope): unknown {
  try {
    return evaluate(scope, true);
  } catch (err) {
    if (err instanceof EvaluationError) throw new Error(err.message);
    throw err;
  }
}

function compileArray(items: unknown[], where: string): Expand {
  const compiled = items.map((item, i) => compileNode(item, `${where}[${i}]`));
  return (scope) => {
    const out: unknown[] = [];
    for (const expand of compiled) {
      const value = expand(scope);
      if (value === null) continue;
      if (Array.isArray(value)) {
        for (const v of value) out.push(v);
      } else {
        out.push(value);
      }
    }
    return out;
  };
}

function compileObject(node: Record<string, unknown>, where: string): Expand {
  const fields: Array<[string, Expand]> = [];
  for (const key of Object.keys(node)) {
    if (key.includes('${')) fail(where, `the templated key "${key}"`);
    if (RESERVED.has(key)) {
      if (key !== '$when' && key !== '$data') fail(where, `the key "${key}"`);
      continue;
    }
    fields.push([key, compileNode(node[key], `${where}.${key}`)]);
  }
  const single = (scope: Scope): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, expand] of fields) {
      const value = expand(scope);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
  const when = node.$when === undefined ? undefined : compileDirective(node.$when, `${where}.$when`);
  const data = node.$data === undefined ? undefined : compileDirective(node.$data, `${where}.$data`);
  const kept = when ? (scope: Scope): boolean => whenIsTrue(when, scope) : undefined;

  if (!data) {
    if (!kept) return single;
    return (scope) => (kept(scope) ? single(scope) : null);
  }
  return (scope) => {
    const context = valueOf(data, scope);
    const contexts = Array.isArray(context) ? context : [context];
    const results: Array<Record<string, unknown>> = [];
    let current = scope;
    for (const item of contexts) {
      // As the library: an undefined item leaves `$data` as it was (the previous item's, or the enclosing one).
      if (item !== undefined) current = { root: scope.root, data: item };
      if (kept && !kept(current)) continue;
      results.push(single(current));
    }
    if (results.length === 0) return null;
    return results.length === 1 ? results[0] : results;
  };
}

/** `$when` and `$data` must each be one expression (`"${…}"`). */
function compileDirective(value: unknown, where: string): Evaluate {
  if (typeof value !== 'string') return fail(where, `a ${typeof value} value`);
  const parsed = ACData.Template.parseInterpolatedString(value);
  if (typeof parsed === 'string' || parsed.type === ExpressionType.Concat) return fail(where, `"${value}" (not one expression)`);
  return compileExpression(parsed, where);
}

/** The library keeps an object if `$when` evaluates, without substitution, to the boolean `true`. */
function whenIsTrue(when: Evaluate, scope: Scope): boolean {
  try {
    return when(scope, false) === true;
  } catch (err) {
    if (err instanceof EvaluationError) return false;
    throw err;
  }
}

// ------------------------------------------------------------------------------------------------ expressions

/** adaptive-expressions' InternalFunctionUtils.isLogicTrue. */
function isLogicTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return value !== null && value !== undefined;
}

/** adaptive-expressions' FunctionUtils.isNumber. */
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/** Evaluates a child of a comparison or logic operator: without substitution; `undefined` marks an error. */
function tryChild(evaluate: Evaluate, scope: Scope): { value: unknown; failed: boolean } {
  try {
    return { value: evaluate(scope, false), failed: false };
  } catch (err) {
    if (err instanceof EvaluationError) return { value: undefined, failed: true };
    throw err;
  }
}

function compileExpression(expr: Expression, where: string): Evaluate {
  const children = expr.children;
  switch (expr.type) {
    case ExpressionType.Constant: {
      const value = (expr as Constant).value as unknown;
      return () => value;
    }
    case ExpressionType.Accessor:
      return compileAccessor(expr, where);
    case ExpressionType.Equal:
    case ExpressionType.NotEqual: {
      // Only comparisons with a constant (all our templates' `x != ''`, `mode == 'form'`, `count(x) == 0`).
      const constantIndex = children.findIndex((c) => c instanceof Constant);
      if (children.length !== 2 || constantIndex < 0) fail(where, `"${expr.toString()}" (compare with a constant)`);
      const constant = (children[constantIndex] as Constant).value as unknown;
      if (constant === null || constant === undefined || typeof constant === 'object') fail(where, `"${expr.toString()}" (compare with a constant)`);
      const other = compileExpression(children[1 - constantIndex], where);
      const negate = expr.type === ExpressionType.NotEqual;
      return (scope) => {
        const { value, failed } = tryChild(other, scope);
        // A comparison whose operand fails is false (not an error), for `==` and `!=` alike.
        if (failed) return false;
        // FunctionUtils.commonEquals(value, constant) with a primitive constant.
        const equal = value !== null && value !== undefined && ((isNumber(value) && isNumber(constant) && Math.abs(value - constant) < Number.EPSILON) || value === constant);
        return negate ? !equal : equal;
      };
    }
    case ExpressionType.GreaterThan: {
      if (children.length !== 2) fail(where, `"${expr.toString()}"`);
      const [left, right] = children.map((c) => compileExpression(c, where));
      const text = expr.toString();
      return (scope) => {
        const a = tryChild(left, scope);
        if (a.failed || a.value === null || a.value === undefined) return false;
        const b = tryChild(right, scope);
        if (b.failed || b.value === null || b.value === undefined) return false;
        const x = a.value;
        const y = b.value;
        if ((isNumber(x) && isNumber(y)) || (typeof x === 'string' && typeof y === 'string') || (x instanceof Date && y instanceof Date)) return x > y;
        throw new EvaluationError(`${text}: ${String(x)} and ${String(y)} must be comparable.`);
      };
    }
    case ExpressionType.And: {
      const parts = children.map((c) => compileExpression(c, where));
      return (scope) => {
        for (const part of parts) {
          const { value, failed } = tryChild(part, scope);
          if (failed || !isLogicTrue(value)) return false;
        }
        return true;
      };
    }
    case ExpressionType.Or: {
      const parts = children.map((c) => compileExpression(c, where));
      return (scope) => {
        // As adaptive-expressions: true at the first true operand, else the last operand's own value (undefined if it failed).
        let result: unknown = false;
        for (const part of parts) {
          const { value, failed } = tryChild(part, scope);
          result = value;
          if (!failed && isLogicTrue(value)) return true;
        }
        return result;
      };
    }
    case ExpressionType.Not: {
      if (children.length !== 1) fail(where, `"${expr.toString()}"`);
      const operand = compileExpression(children[0], where);
      return (scope) => {
        const { value, failed } = tryChild(operand, scope);
        return failed ? true : !isLogicTrue(value);
      };
    }
    case ExpressionType.Exists: {
      if (children.length !== 1) fail(where, `"${expr.toString()}"`);
      const operand = compileExpression(children[0], where);
      return (scope) => {
        const { value, failed } = tryChild(operand, scope);
        return !failed && value !== null && value !== undefined;
      };
    }
    case ExpressionType.Count: {
      if (children.length !== 1) fail(where, `"${expr.toString()}"`);
      const operand = compileExpression(children[0], where);
      const text = children[0].toString();
      return (scope, subst) => {
        // A function's argument keeps the substitution (FunctionUtils.apply passes the options on).
        const value = operand(scope, subst);
        if (typeof value === 'string' || Array.isArray(value)) return value.length;
        if (value instanceof Map) return value.size;
        if (typeof value === 'object') {
          if (value === null) throw new EvaluationError(`count(${text}): Cannot convert undefined or null to object`);
          return Object.keys(value).length;
        }
        throw new EvaluationError(`${text} must be a string, list, map or object.`);
      };
    }
    default:
      return fail(where, `"${expr.toString()}" (the ${expr.type} expression)`);
  }
}

/** Property names as `a.b.c` in a template (no index, no quoted names, no digits first: those parse differently). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function compileAccessor(expr: Expression, where: string): Evaluate {
  // Accessor(name, Accessor(name, …)): the path from the outermost name inwards, as FunctionUtils.tryAccumulatePath.
  const names: string[] = [];
  let node: Expression | undefined = expr;
  while (node) {
    if (node.type !== ExpressionType.Accessor) fail(where, `"${expr.toString()}" (a path through ${node.type})`);
    const first = node.children[0];
    if (!(first instanceof Constant) || typeof first.value !== 'string') fail(where, `"${expr.toString()}"`);
    names.unshift(first.value as string);
    node = node.children.length === 2 ? node.children[1] : undefined;
  }
  const path = names.join('.');
  // TemplateObjectMemory: a path not starting with `$` is read from `$data`; `$root` and `$data` (in any case) name those.
  let start: 'root' | 'data' = 'data';
  let rest = names;
  if (names[0].startsWith('$')) {
    const head = names[0].toLowerCase();
    if (head === '$root') start = 'root';
    else if (head !== '$data') fail(where, `"${path}" (${names[0]})`);
    rest = names.slice(1);
  }
  for (const name of rest) if (!NAME.test(name)) fail(where, `"${path}" (the name "${name}")`);
  const steps = rest.map((name) => ({ name, lower: name.toLowerCase() }));
  const substitute = '${' + path + '}';
  return (scope, subst) => {
    let value: unknown = start === 'root' ? scope.root : scope.data;
    for (const step of steps) value = property(value, step.name, step.lower);
    if (value !== undefined) return value;
    return subst ? substitute : undefined;
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * InternalFunctionUtils.accessProperty for a plain name: nothing for a falsy value; otherwise the first own enumerable
 * key (in key order) equal to the name ignoring case. Strings, numbers and arrays have no such keys for a name that
 * cannot start with a digit.
 */
function property(instance: unknown, name: string, lower: string): unknown {
  if (!instance) return undefined;
  if (instance instanceof Map) {
    const direct: unknown = instance.get(name);
    if (direct !== undefined) return direct;
    for (const key of instance.keys()) if (typeof key === 'string' && key.toLowerCase() === lower) return instance.get(key) as unknown;
    return undefined;
  }
  if (typeof instance !== 'object') return undefined;
  const record = instance as Record<string, unknown>;
  for (const key in record) {
    if (key === name || (key.length === name.length && key.toLowerCase() === lower)) {
      if (hasOwn.call(record, key)) return record[key];
    }
  }
  return undefined;
}
