import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project root: the nearest folder above this file that holds package.json.
 * Source (ts-jest) and compiled code (dist/) sit at different depths, so paths to shipped
 * data files are resolved from here rather than from `__dirname`.
 */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();

/** Absolute path of a file in the project's `data/` folder. */
export function dataFile(name: string): string {
  return path.join(projectRoot, 'data', name);
}
