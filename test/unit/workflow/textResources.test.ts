import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { keyPaths } from '../../../services/workflow/texts';

/**
 * Every resource file pair (`texts/de.ts`, `texts/en.ts`) has the same keys, and each text function takes the same
 * parameters in both languages: a text added in German only fails here (and in the type check).
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');

function textFolders(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    if (name === 'texts') out.push(full);
    else out.push(...textFolders(full));
  }
  return out;
}

const folders = ['services', 'bot'].flatMap((d) => textFolders(path.join(ROOT, d)));

describe('text resources', () => {
  it('are found for the workflows', () => {
    const names = folders.map((f) => path.relative(ROOT, f)).sort();
    expect(names).toEqual(expect.arrayContaining(['services/requests/texts', 'services/circle/texts']));
  });

  it.each(folders.map((f) => [path.relative(ROOT, f), f]))('%s: English has every German key and no other', (_name, folder) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const de = require(path.join(folder, 'de')) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const en = require(path.join(folder, 'en')) as Record<string, unknown>;
    const deKeys = keyPaths(de.de ?? de.default ?? de);
    expect(deKeys.length).toBeGreaterThan(0);
    expect(keyPaths(en.en ?? en.default ?? en)).toEqual(deKeys);
  });
});
