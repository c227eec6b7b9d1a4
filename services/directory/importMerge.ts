/**
 * The three-way merge behind `npm run directory:import`: the value last imported (the base), the value stored now
 * (possibly edited in Teams since) and the value in the file. Pure; the repository reads and writes.
 *
 * Per field: a field unchanged in Teams since the last import takes the file's value; a field changed in Teams and
 * unchanged in the file keeps the Teams value; a field changed in Teams and equal in the file is no conflict; a field
 * changed on both sides to different values is a conflict, which keeps the Teams value unless the file is preferred.
 * Objects present on all three sides are merged key by key (an object that is new or removed on a side, such as a deputy
 * entered in Teams, is one field); arrays (absences, mail domains, circle members) and scalars are single fields.
 */

/** A field changed in Teams since the last import that the file changes to something else. */
export interface MergeConflict {
  /** JSON pointer inside the part, e.g. `/commissioner/officeHours`. */
  path: string;
  /** The value stored now (`undefined`: the field is absent). */
  teams: unknown;
  /** The value in the file (`undefined`: the field is absent). */
  file: unknown;
}

/** Outcome of {@link mergeImported}. */
export interface MergeResult<T> {
  value: T;
  conflicts: MergeConflict[];
  /** Fields changed in Teams that the file leaves as last imported: the Teams value stays. */
  keptFromTeams: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so that key order does not make two values differ. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

/** Whether two JSON values are equal, ignoring key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Fields that record when an entry was last checked: never a conflict, the later date wins, because an IB's
 * confirmation in Teams and an administrator's check of the file both mean "checked on that day".
 */
const LATEST_WINS = new Set(['lastVerified']);

/**
 * Merges one stored part of the directory. `base` is the value as last imported, `undefined` when the part was
 * never imported with this record (then the stored value counts as the base: the file wins, as before).
 */
export function mergeImported<T>(base: T | undefined, current: T, file: T, options: { preferFile?: boolean } = {}): MergeResult<T> {
  const conflicts: MergeConflict[] = [];
  const keptFromTeams: string[] = [];
  const merge = (b: unknown, c: unknown, f: unknown, path: string, key: string): unknown => {
    if (sameValue(c, b)) return f;
    if (sameValue(f, c)) return c;
    if (isObj(b) && isObj(c) && isObj(f)) {
      const out: Obj = {};
      const keys = [...Object.keys(f), ...Object.keys(c).filter((k) => !(k in f))];
      for (const k of keys) {
        const v = merge(b[k], c[k], f[k], `${path}/${k}`, k);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    if (sameValue(f, b)) {
      keptFromTeams.push(path || '/');
      return c;
    }
    if (LATEST_WINS.has(key) && typeof c === 'string' && typeof f === 'string') return c > f ? c : f;
    conflicts.push({ path: path || '/', teams: c, file: f });
    return options.preferFile ? f : c;
  };
  const value = merge(base === undefined ? current : base, current, file, '', '') as T;
  return { value, conflicts, keptFromTeams };
}
