/**
 * A small reader for the Bicep this repository writes (infra/*.bicep): enough to check declarations against the code,
 * not a Bicep compiler. It reads params, vars, resources, modules and outputs; values become literals (strings,
 * numbers, booleans, null), objects, arrays, `for` loops, or expressions kept as text. `az bicep build` remains the
 * real check of the syntax (docs/deployment.md).
 */

export type BicepValue =
  | { kind: 'string'; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'object'; entries: Map<string, BicepValue> }
  | { kind: 'array'; items: BicepValue[] }
  | { kind: 'for'; iterator: string; source: string; body: BicepValue }
  | { kind: 'expr'; text: string };

export interface BicepResource {
  readonly symbol: string;
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The `if (…)` condition's text, when the declaration has one. */
  readonly condition?: string;
  readonly body: BicepValue;
}

export interface BicepFile {
  /** Each param with its type, default and decorators (name → the text inside the parentheses, e.g. `minValue` → `1`). */
  readonly params: Map<string, { type: string; defaultValue?: BicepValue; decorators: Record<string, string> }>;
  readonly vars: Map<string, BicepValue>;
  readonly resources: BicepResource[];
  readonly modules: Array<{ symbol: string; path: string; condition?: string; body: BicepValue }>;
  readonly outputs: Map<string, { type: string; value: BicepValue }>;
}

export class BicepReadError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = 'BicepReadError';
  }
}

/** Removes `//` and `/* *\/` comments outside strings, keeping line breaks (they separate object entries). */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  let interpolationDepth = 0;
  while (i < src.length) {
    const c = src[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += src[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '$' && src[i + 1] === '{') interpolationDepth++;
      else if (c === '}' && interpolationDepth > 0) interpolationDepth--;
      else if (c === "'" && interpolationDepth === 0) inString = false;
      i++;
      continue;
    }
    if (c === "'") {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new BicepReadError('unterminated comment', i);
      out += src.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }

  peek(): string {
    return this.src[this.pos] ?? '';
  }

  /** Skips spaces and tabs; with `newlines`, line breaks and commas too (entry separators). */
  skip(newlines: boolean): void {
    while (!this.done) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && (c === '\n' || c === ','))) this.pos++;
      else break;
    }
  }

  expect(text: string): void {
    if (!this.src.startsWith(text, this.pos)) throw new BicepReadError(`expected "${text}"`, this.pos);
    this.pos += text.length;
  }

  word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) throw new BicepReadError('expected a name', this.pos);
    this.pos += m[0].length;
    return m[0];
  }

  /** A single-quoted string including `${…}` interpolations (which may hold strings themselves); returns the raw inside. */
  string(): string {
    const start = this.pos;
    this.expect("'");
    let depth = 0;
    while (!this.done) {
      const c = this.peek();
      if (c === '\\') {
        this.pos += 2;
        continue;
      }
      if (depth > 0 && c === "'") {
        this.string();
        continue;
      }
      if (c === '$' && this.src[this.pos + 1] === '{') {
        depth++;
        this.pos += 2;
        continue;
      }
      if (c === '}' && depth > 0) depth--;
      else if (c === "'" && depth === 0) {
        this.pos++;
        return this.src.slice(start + 1, this.pos - 1);
      }
      this.pos++;
    }
    throw new BicepReadError('unterminated string', start);
  }

  /** Text up to the matching closing bracket of the one at the current position (inclusive). */
  balanced(): string {
    const start = this.pos;
    const open = this.peek();
    const close = ({ '(': ')', '[': ']', '{': '}' } as Record<string, string>)[open];
    if (!close) throw new BicepReadError('expected a bracket', this.pos);
    let depth = 0;
    while (!this.done) {
      const c = this.peek();
      if (c === "'") {
        this.string();
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth === 0) {
          this.pos++;
          return this.src.slice(start, this.pos);
        }
      }
      this.pos++;
    }
    throw new BicepReadError(`no closing "${close}"`, start);
  }

  value(): BicepValue {
    this.skip(true);
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === "'") {
      const save = this.pos;
      const raw = this.string();
      this.skip(false);
      // A string followed by more (an operator) is an expression.
      if (this.atValueEnd()) return { kind: 'string', raw };
      this.pos = save;
    }
    return this.expression();
  }

  atValueEnd(): boolean {
    const c = this.peek();
    return this.done || c === '\n' || c === ',' || c === '}' || c === ']';
  }

  /** Anything else: up to the end of the line, a comma or a closing bracket at depth 0. */
  expression(): BicepValue {
    const start = this.pos;
    while (!this.done && !this.atValueEnd()) {
      const c = this.peek();
      if (c === "'") this.string();
      else if (c === '(' || c === '[' || c === '{') this.balanced();
      else this.pos++;
    }
    const text = this.src.slice(start, this.pos).trim();
    if (!text) throw new BicepReadError('expected a value', start);
    if (/^-?\d+$/.test(text)) return { kind: 'number', value: Number(text) };
    if (text === 'true' || text === 'false') return { kind: 'bool', value: text === 'true' };
    if (text === 'null') return { kind: 'null' };
    return { kind: 'expr', text };
  }

  object(): BicepValue {
    this.expect('{');
    const entries = new Map<string, BicepValue>();
    for (;;) {
      this.skip(true);
      if (this.peek() === '}') {
        this.pos++;
        return { kind: 'object', entries };
      }
      const key = this.peek() === "'" ? this.string() : this.word();
      this.skip(false);
      this.expect(':');
      if (entries.has(key)) throw new BicepReadError(`duplicate key "${key}"`, this.pos);
      entries.set(key, this.value());
    }
  }

  array(): BicepValue {
    this.expect('[');
    this.skip(true);
    if (/^for\s/.test(this.src.slice(this.pos))) {
      this.pos += 3;
      this.skip(false);
      const iterator = this.peek() === '(' ? this.balanced() : this.word();
      this.skip(false);
      this.expect('in');
      const start = this.pos;
      while (!this.done && this.peek() !== ':') {
        if (this.peek() === '(' || this.peek() === '[') this.balanced();
        else this.pos++;
      }
      const source = this.src.slice(start, this.pos).trim();
      this.expect(':');
      const body = this.value();
      this.skip(true);
      this.expect(']');
      return { kind: 'for', iterator, source, body };
    }
    const items: BicepValue[] = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      items.push(this.value());
    }
  }

  /** `if (…)` before a declaration's body, when present. */
  condition(): string | undefined {
    this.skip(true);
    if (!/^if\s*\(/.test(this.src.slice(this.pos))) return undefined;
    this.pos += 2;
    this.skip(false);
    const text = this.balanced();
    return text.slice(1, -1).trim();
  }

  restOfLine(): string {
    const start = this.pos;
    while (!this.done && this.peek() !== '\n') {
      if (this.peek() === "'") this.string();
      else if (this.peek() === '(' || this.peek() === '[' || this.peek() === '{') this.balanced();
      else this.pos++;
    }
    return this.src.slice(start, this.pos);
  }
}

/** Reads one Bicep file's top-level declarations. Throws `BicepReadError` on text it does not understand. */
export function readBicep(source: string): BicepFile {
  const r = new Reader(stripComments(source));
  const file: BicepFile = { params: new Map(), vars: new Map(), resources: [], modules: [], outputs: new Map() };
  let decorators: Record<string, string> = {};
  for (;;) {
    r.skip(true);
    if (r.done) return file;
    if (r.peek() === '@') {
      // A decorator: @name(…) or @sys.name(…); kept for the param it precedes.
      r.pos++;
      const start = r.pos;
      while (!r.done && /[A-Za-z0-9_.]/.test(r.peek())) r.pos++;
      const name = r.src.slice(start, r.pos).replace(/^sys\./, '');
      decorators[name] = r.peek() === '(' ? r.balanced().slice(1, -1).trim() : '';
      continue;
    }
    const pending = decorators;
    decorators = {};
    const keyword = r.word();
    r.skip(false);
    switch (keyword) {
      case 'param': {
        const name = r.word();
        r.skip(false);
        const type = r.word();
        r.skip(false);
        let defaultValue: BicepValue | undefined;
        if (r.peek() === '=') {
          r.pos++;
          defaultValue = r.value();
        }
        file.params.set(name, { type, defaultValue, decorators: pending });
        break;
      }
      case 'var': {
        const name = r.word();
        r.skip(false);
        r.expect('=');
        file.vars.set(name, r.value());
        break;
      }
      case 'resource': {
        const symbol = r.word();
        r.skip(false);
        const typeRef = r.string();
        const at = typeRef.lastIndexOf('@');
        if (at < 0) throw new BicepReadError(`resource ${symbol} has no API version`, r.pos);
        r.skip(false);
        let existing = false;
        if (r.src.startsWith('existing', r.pos)) {
          existing = true;
          r.pos += 'existing'.length;
          r.skip(false);
        }
        r.expect('=');
        const condition = r.condition();
        file.resources.push({ symbol, type: typeRef.slice(0, at), apiVersion: typeRef.slice(at + 1), existing, condition, body: r.value() });
        break;
      }
      case 'module': {
        const symbol = r.word();
        r.skip(false);
        const path = r.string();
        r.skip(false);
        r.expect('=');
        const condition = r.condition();
        file.modules.push({ symbol, path, condition, body: r.value() });
        break;
      }
      case 'output': {
        const name = r.word();
        r.skip(false);
        const type = r.word();
        r.skip(false);
        r.expect('=');
        file.outputs.set(name, { type, value: r.value() });
        break;
      }
      case 'targetScope':
      case 'extension':
      case 'import':
      case 'metadata':
      case 'using':
        r.restOfLine();
        break;
      default:
        throw new BicepReadError(`unknown declaration "${keyword}"`, r.pos);
    }
  }
}

/** The value at a dotted path inside objects (`properties.siteConfig.healthCheckPath`), or undefined. */
export function at(value: BicepValue | undefined, path: string): BicepValue | undefined {
  let v = value;
  for (const key of path.split('.')) {
    if (!v || v.kind !== 'object') return undefined;
    v = v.entries.get(key);
  }
  return v;
}

/** The plain value of a literal (a string without interpolation, number, boolean, null); undefined for anything else. */
export function literal(value: BicepValue | undefined): string | number | boolean | null | undefined {
  if (!value) return undefined;
  switch (value.kind) {
    case 'string':
      return value.raw.includes('${') ? undefined : value.raw.replace(/\\'/g, "'").replace(/\\\\/g, '\\');
    case 'number':
    case 'bool':
      return value.value;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** An expression's text, or a string's raw text with its interpolations: what a value refers to. */
export function sourceText(value: BicepValue | undefined): string | undefined {
  if (!value) return undefined;
  if (value.kind === 'expr') return value.text;
  if (value.kind === 'string') return value.raw;
  return undefined;
}

/**
 * Evaluates a value where a loop variable or a var stands for a literal: `c.name` with `c` bound to an object,
 * `name` bound to a var, literals as they are. Undefined when it needs more than that.
 */
export function evaluate(value: BicepValue | undefined, scope: ReadonlyMap<string, BicepValue>): BicepValue | undefined {
  if (!value) return undefined;
  if (value.kind === 'expr') {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(value.text);
    if (!m) return undefined;
    const bound = scope.get(m[1]);
    return m[2] ? at(bound, m[2].slice(1)) : bound;
  }
  if (value.kind === 'array') {
    const items = value.items.map((item) => evaluate(item, scope));
    return items.every((i): i is BicepValue => i !== undefined) ? { kind: 'array', items } : undefined;
  }
  if (value.kind === 'object') {
    const entries = new Map<string, BicepValue>();
    for (const [k, v] of value.entries) {
      const e = evaluate(v, scope);
      if (e === undefined) return undefined;
      entries.set(k, e);
    }
    return { kind: 'object', entries };
  }
  return value;
}

/**
 * Every instance a resource declaration produces, with loop variables bound: one body for a plain declaration, one
 * per item for `[for x in someVar: {…}]` over a var that is a literal array. Throws when a loop's source is not one.
 */
export function instances(resource: BicepResource, file: BicepFile): Array<{ body: BicepValue; scope: Map<string, BicepValue> }> {
  const base = new Map<string, BicepValue>(file.vars);
  if (resource.body.kind !== 'for') return [{ body: resource.body, scope: base }];
  const { iterator, source, body } = resource.body;
  const items = file.vars.get(source);
  if (!items || items.kind !== 'array') throw new Error(`resource ${resource.symbol} loops over "${source}", which is not a var holding an array`);
  const name = iterator.replace(/^\(|\)$/g, '').split(',')[0].trim();
  return items.items.map((item) => new Map(base).set(name, item)).map((scope) => ({ body, scope }));
}
