/**
 * Texts live in resource files, one per language: `texts/de.ts` (German, the default and the shape) and `texts/en.ts`
 * (typed as the German one, so a missing key fails the type check; `test/unit/textResources.test.ts` checks every pair
 * at run time as well). Code picks a bundle by the recipient's language, never writes user-facing words itself.
 */

export type Lang = 'de' | 'en';
export const LANGS: readonly Lang[] = ['de', 'en'];

/** The language of a Teams locale ("en-GB" → en); German for everything else and when unknown. */
export function langOf(locale: string | undefined): Lang {
  return locale && /^en\b/i.test(locale) ? 'en' : 'de';
}

/**
 * The shape of a resource file: nested records of strings, string lists and functions that build a string. `en` files
 * are declared as `Texts<typeof de>`: the same keys and the same functions' parameters.
 */
export type Texts<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => string ? (...args: A) => string : T[K] extends readonly string[] ? readonly string[] : T[K] extends string ? string : Texts<T[K]>;
};

/** Every key path of a resource bundle, with `()/n` for a function of n parameters (the key test compares these). */
export function keyPaths(bundle: unknown, prefix = ''): string[] {
  if (typeof bundle === 'function') return [`${prefix}()/${bundle.length}`];
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) return [prefix];
  return Object.entries(bundle as Record<string, unknown>)
    .flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k))
    .sort();
}
