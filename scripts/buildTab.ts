/**
 * Builds the personal tab into `tab/dist`: one minified script bundle (teams-js, the adaptivecards renderer and the
 * tab's code) plus the static pages and styles from `tab/public`. Part of `npm run build`.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../services/paths';

export const TAB_DIR = join(projectRoot, 'tab');
export const TAB_DIST = join(TAB_DIR, 'dist');

export async function buildTab(): Promise<void> {
  rmSync(TAB_DIST, { recursive: true, force: true });
  mkdirSync(TAB_DIST, { recursive: true });
  cpSync(join(TAB_DIR, 'public'), TAB_DIST, { recursive: true });
  await build({
    entryPoints: [join(TAB_DIR, 'src', 'main.ts')],
    outfile: join(TAB_DIST, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

if (require.main === module) {
  buildTab().catch((err: unknown) => {
    process.stderr.write(`tab build failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
