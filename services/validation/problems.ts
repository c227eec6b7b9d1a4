import type { ErrorObject, ValidateFunction } from 'ajv';

/** One reason a data file was rejected: where (a JSON Pointer into the file) and why, in plain words. */
export interface ValidationProblem {
  /** JSON Pointer of the offending value, e.g. `/authorities/2/commissioner/email`; `''` is the whole file. */
  path: string;
  reason: string;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Appends one segment to a JSON Pointer. */
export function pointer(base: string, segment: string | number): string {
  return `${base}/${escapePointer(String(segment))}`;
}

/**
 * Turns ajv's errors (compiled with `allErrors`) into problems a data maintainer can act on: the pointer
 * names the property itself for missing or unknown properties, and the reason says what was expected.
 */
export function ajvProblems(errors: readonly ErrorObject[] | null | undefined): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // `if`/`then` only repeats that a branch failed; the branch's own errors say why.
    if (e.keyword === 'if') continue;
    let path = e.instancePath;
    let reason: string;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        path = pointer(path, String(p.missingProperty));
        reason = 'is required but missing';
        break;
      case 'additionalProperties':
        path = pointer(path, String(p.additionalProperty));
        reason = 'is not a known property (check the spelling)';
        break;
      case 'enum':
        reason = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        reason = `must be ${JSON.stringify(p.allowedValue)}`;
        break;
      case 'format':
        reason = `must be a valid ${String(p.format)}`;
        break;
      case 'pattern':
        reason = `has the wrong form (expected pattern ${String(p.pattern)})`;
        break;
      case 'type':
        reason = `must be of type ${String(p.type)}`;
        break;
      case 'minItems':
        reason = `must have at least ${String(p.limit)} item(s)`;
        break;
      case 'maxItems':
        reason = `must have at most ${String(p.limit)} item(s)`;
        break;
      case 'minLength':
        reason = p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
        break;
      case 'maxLength':
        reason = `must be at most ${String(p.limit)} characters long`;
        break;
      default:
        reason = e.message ?? `violates ${e.keyword}`;
    }
    const key = `${path}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, reason });
  }
  return out;
}

/**
 * Compiles a draft 2020-12 JSON Schema with every error reported (`allErrors`) and strict checking of the
 * schema itself. ajv is required here rather than at import time: loading it costs about 100 ms, which
 * code paths that do not validate (the `npm run ask` start-up) should not pay.
 */
export function compileSchema(schema: object, formats: boolean): ValidateFunction {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Ajv2020 = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  if (formats) (require('ajv-formats') as typeof import('ajv-formats')).default(ajv);
  /* eslint-enable @typescript-eslint/no-require-imports */
  return ajv.compile(schema);
}
