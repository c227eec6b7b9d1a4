/**
 * The Chromium that the browser tests (test/e2e/) and the `tab` benchmark drive, and how it is launched.
 *
 * - A system Chromium (Debian's `/usr/bin/chromium`) when one is installed;
 * - else the Chromium build shipped inside the npm package `@sparticuz/chromium` (a devDependency), so that
 *   `npm install && npm test` needs nothing else on the machine: no system browser, no apt step.
 *
 * `LOTSE_BROWSER=packaged` forces the packaged build (to check the bare-machine path on a machine that has a system
 * Chromium), `LOTSE_BROWSER=system` insists on the system one, `LOTSE_BROWSER=/path/to/chromium` names an executable.
 *
 * Every launch is headless, without GPU, with a fresh profile (Playwright creates a temporary `--user-data-dir` per
 * launch and deletes it on close), and with background networking, component updates, sync and QUIC off. Host names
 * other than localhost do not resolve inside the browser, so nothing it does can leave loopback; the pages the tests
 * open at public-looking addresses are answered by Playwright's request interception, never by a DNS lookup.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Which browser a launch uses: an executable on the machine, or the build inside `@sparticuz/chromium`. */
export type BrowserChoice = { source: 'system'; executablePath: string } | { source: 'packaged' };

/** Picks the browser from `LOTSE_BROWSER` and what is installed (see the file comment). */
export function chooseBrowser(env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = existsSync): BrowserChoice {
  const wanted = env.LOTSE_BROWSER?.trim();
  if (wanted === 'packaged') return { source: 'packaged' };
  if (wanted === 'system' || (wanted && path.isAbsolute(wanted))) {
    const executablePath = wanted === 'system' ? SYSTEM_CHROMIUM : wanted;
    if (!exists(executablePath)) throw new Error(`LOTSE_BROWSER=${wanted}: there is no browser at ${executablePath}`);
    return { source: 'system', executablePath };
  }
  if (wanted) throw new Error(`LOTSE_BROWSER=${wanted}: use "packaged", "system" or an absolute path to a Chromium executable`);
  return exists(SYSTEM_CHROMIUM) ? { source: 'system', executablePath: SYSTEM_CHROMIUM } : { source: 'packaged' };
}

/**
 * Flags for every launch, on top of Playwright's own (which already add `--headless`, `--no-sandbox` and
 * `--disable-background-networking`, among others). No sandbox: Chromium refuses to start sandboxed as root, which
 * containers and CI usually are, and the tests load only this project's pages.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--no-pings',
  // Every host but localhost and 127.0.0.1 fails to resolve: a request that escaped interception cannot reach the network.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** The unpacked packaged build: the executable, the libraries it links (NSS, expat) and a fonts configuration. */
interface PackagedChromium {
  executablePath: string;
  env: Record<string, string>;
}

let packaged: Promise<PackagedChromium> | undefined;

/**
 * Unpacks `@sparticuz/chromium` once per machine and version into `<tmpdir>/lotse-chromium-<version>`: the browser,
 * its fonts and SwiftShader, and the NSS and expat libraries it links (the package's Amazon Linux set, so a bare
 * Debian needs no libnss3). The package is ESM-only, which jest's CommonJS runtime cannot import, so a child Node
 * process runs its unpacker with `TMPDIR` pointing at a fresh staging directory; the staging directory then becomes
 * the final one in a single rename. A half-unpacked browser is therefore never seen, even with jest workers or
 * benchmarks unpacking at the same time (the loser of the rename discards its copy).
 */
function unpackPackagedChromium(): Promise<PackagedChromium> {
  packaged ??= (async () => {
    const entry = require.resolve('@sparticuz/chromium');
    const packageDir = path.join(path.dirname(entry), '..');
    const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
    const target = path.join(os.tmpdir(), `lotse-chromium-${version}`);
    const result = (): PackagedChromium => ({
      executablePath: path.join(target, 'chromium'),
      env: {
        LD_LIBRARY_PATH: [path.join(target, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
        FONTCONFIG_FILE: path.join(target, 'fonts.conf'),
      },
    });
    const complete = () => ['chromium', 'fonts.conf', 'al2023/lib/libnss3.so'].every((file) => existsSync(path.join(target, file)));
    if (complete()) return result();
    if (existsSync(target)) {
      // Damaged (a /tmp cleaner took files): move it aside in one rename, so no other process uses it half, and unpack again.
      const aside = `${target}-damaged-${process.pid}`;
      try {
        renameSync(target, aside);
      } catch {
        // Another process moved it first.
      }
      rmSync(aside, { recursive: true, force: true });
    }

    const staging = mkdtempSync(path.join(os.tmpdir(), `lotse-chromium-${version}-staging-`));
    try {
      const script = [
        'const { default: Chromium, inflate } = await import(process.argv[1]);',
        'await Chromium.executablePath();',
        'await inflate(process.argv[2]);',
      ].join('\n');
      await new Promise<void>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--input-type=module', '-e', script, pathToFileURL(entry).href, path.join(packageDir, 'bin', 'al2023.tar.br')],
          { env: { ...process.env, TMPDIR: staging }, timeout: 120_000 },
          (err, _stdout, stderr) => (err ? reject(new Error(`unpacking @sparticuz/chromium failed: ${err.message}\n${stderr}`)) : resolve()),
        );
      });
      // The package's own fonts.conf names /tmp/fonts; without a configuration that finds a font, text has no glyphs
      // and no size on a machine without fonts, and innerText comes back empty.
      writeFileSync(
        path.join(staging, 'fonts.conf'),
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
          `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
          `  <dir>${path.join(target, 'fonts')}</dir>\n  <cachedir>${path.join(target, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
      );
      try {
        renameSync(staging, target);
      } catch (err) {
        // Another process finished first: use its copy.
        if (!existsSync(target)) throw err;
        rmSync(staging, { recursive: true, force: true });
      }
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      packaged = undefined;
      throw err;
    }
    return result();
  })();
  return packaged;
}

/** Playwright launch options for the chosen browser. */
export async function chromiumLaunchOptions(choice: BrowserChoice = chooseBrowser()): Promise<LaunchOptions & { executablePath: string }> {
  if (choice.source === 'system') return { executablePath: choice.executablePath, headless: true, args: ARGS };
  const unpacked = await unpackPackagedChromium();
  return { executablePath: unpacked.executablePath, headless: true, args: ARGS, env: { ...process.env, ...unpacked.env } };
}

/** Launches the chosen Chromium headless with a fresh profile (see the file comment). */
export async function launchChromium(choice: BrowserChoice = chooseBrowser()): Promise<Browser> {
  return chromium.launch(await chromiumLaunchOptions(choice));
}
