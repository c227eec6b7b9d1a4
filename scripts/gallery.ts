/**
 * `npm run gallery`: every card the Lotse sends, as Teams shows it, in PNG files under dist/gallery/ with an
 * index.html, so anyone can look at what users see without a Teams tenant.
 *
 * The cards are the fixtures of test/fixtures/cards.ts (the same the tests read), rendered by the Adaptive Cards
 * JavaScript renderer (node_modules/adaptivecards/dist/adaptivecards.js) in headless Chromium
 * (test/support/browser.ts), with Microsoft's Teams host configs (cards/hostConfigs/, light and dark), at 450 px
 * (Teams on the desktop) and 328 px (the narrowest: a phone). Nothing is fetched: the page is built in memory and the
 * browser resolves no host name but localhost.
 *
 * Besides the pictures, every button whose label the renderer cuts ("Term…") is measured at each width and listed in
 * dist/gallery/report.json and in the index, with the reading checks' findings (test/support/cardReading.ts).
 * Font: Teams draws cards in Segoe UI, which is not free to ship. The page draws them in Selawik instead (Microsoft's
 * open-licensed stand-in designed with Segoe UI's metrics; SIL OFL 1.1; regular, semibold and bold in
 * scripts/galleryFonts/, see the README there), loaded as the family 'Segoe UI' from the page itself, so labels are as
 * wide as in Teams. Each button row is also compared with the product's estimate (services/text/buttonWidth.ts): the
 * report lists rows where the estimate says "fits" and the renderer cut a label, or the other way round.
 *
 * `npm run gallery -- item/ib` renders only the fixtures whose name contains "item/ib" (the folder is emptied first);
 * `--out=DIR` writes to DIR instead of dist/gallery/.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../services/paths';
import { fixtureUserTexts, renderCardFixtures, type CardFixture } from '../test/fixtures/cards';
import { launchChromium } from '../test/support/browser';
import { describeFindings, MAX_PRIMARY_ACTIONS, readCard, readVisible } from '../test/support/cardReading';
import { buttonRowFits } from '../services/text/buttonWidth';

const WIDTHS = [450, 328] as const;
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

/** Selawik (scripts/galleryFonts/) as the family 'Segoe UI' at the weights the host config uses, from data: URLs. */
function fontFaces(): string {
  const dir = path.join(projectRoot, 'scripts', 'galleryFonts');
  const face = (file: string, weight: number) =>
    `@font-face{font-family:'Segoe UI';font-style:normal;font-weight:${weight};src:url(data:font/woff2;base64,${readFileSync(path.join(dir, file)).toString('base64')}) format('woff2')}`;
  return [face('selawk.woff2', 400), face('selawksb.woff2', 600), face('selawkb.woff2', 700)].join('\n');
}

/** The output folder: dist/gallery/, or `--out=DIR` (several people on one machine each keep their own pictures). */
const OUT = ((arg) => (arg ? path.resolve(arg.slice('--out='.length)) : path.join(projectRoot, 'dist', 'gallery')))(process.argv.slice(2).find((a) => a.startsWith('--out=')));

/** What Teams' chat looks like around a card (page background, card frame, buttons, inputs); the card itself is the renderer's. */
const THEME_CSS: Record<Theme, string> = {
  light: `body{background:#f5f5f5;color:#242424} #card{background:#fff;border:1px solid #e0e0e0}
    .ac-pushButton{background:#fff;color:#242424;border:1px solid #d1d1d1}
    .ac-pushButton.style-positive,.ac-pushButton.primary{background:#5b5fc7;color:#fff;border-color:#5b5fc7}
    .ac-pushButton.style-destructive{color:#c4314b;border-color:#c4314b}
    .ac-input,.ac-input select,.ac-input input,.ac-input textarea{background:#fff;color:#242424;border-color:#d1d1d1}`,
  dark: `body{background:#1f1f1f;color:#fff} #card{background:#292929;border:1px solid #3d3d3d}
    .ac-pushButton{background:#292929;color:#fff;border:1px solid #5c5c5c}
    .ac-pushButton.style-positive,.ac-pushButton.primary{background:#7f85f5;color:#1f1f1f;border-color:#7f85f5}
    .ac-pushButton.style-destructive{color:#f9526b;border-color:#f9526b}
    .ac-input,.ac-input select,.ac-input input,.ac-input textarea{background:#1f1f1f;color:#fff;border-color:#5c5c5c}`,
};

const BASE_CSS = `body{margin:0;padding:16px;font-family:'Segoe UI',Tahoma,Geneva,Verdana,sans-serif}
  #card{border-radius:6px;overflow:hidden;box-sizing:border-box}
  .ac-pushButton{font:600 14px 'Segoe UI',Tahoma,Geneva,Verdana,sans-serif;height:32px;min-width:32px;padding:0 12px;border-radius:4px;cursor:pointer}
  .ac-input{font:14px 'Segoe UI',Tahoma,Geneva,Verdana,sans-serif}
  .ac-input input,.ac-input select,.ac-input textarea,input.ac-input,textarea.ac-input,select.ac-input{min-height:32px;padding:4px 8px;border:1px solid;border-radius:4px;box-sizing:border-box;font:inherit}
  a{color:inherit}`;

function page(theme: Theme, width: number, library: string, fonts: string): string {
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><style>${fonts}${BASE_CSS}${THEME_CSS[theme]}#card{width:${width}px}</style>
<script>${library.replace(/<\/script/gi, '<\\/script')}</script></head><body><div id="card"></div></body></html>`;
}

interface Shot {
  file: string;
  theme: Theme;
  width: number;
  /** Buttons whose label the renderer cut, with the label's and the button's width in px. */
  cut: Array<{ title: string; textWidth: number; boxWidth: number; inShowCard: boolean }>;
}

interface Entry {
  name: string;
  lang: string;
  shots: Shot[];
  findings: string[];
}

/** Renders one card into #card (in the page) and measures the buttons, also inside each Action.ShowCard opened in turn. */
async function renderInPage(
  pg: import('playwright-core').Page,
  card: Record<string, unknown>,
  hostConfig: unknown,
): Promise<Shot['cut']> {
  return pg.evaluate(
    ({ card, hostConfig }) => {
      const AC = (window as unknown as { AdaptiveCards: typeof import('adaptivecards') }).AdaptiveCards;
      // Teams renders Markdown in TextBlocks: links, bold, italics, lists, paragraphs. A small subset suffices here.
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const inline = (s: string) =>
        esc(s)
          .replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, '<a href="$2">$1</a>')
          .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
          .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1<em>$2</em>');
      const markdown = (text: string) =>
        text
          .split(/\n{2,}/)
          .map((para) => {
            const lines = para.split('\n');
            if (lines.every((l) => /^\s*[-*•] /.test(l))) return `<ul style="margin:0;padding-left:24px;box-sizing:border-box;width:100%">${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*•] /, ''))}</li>`).join('')}</ul>`;
            if (lines.every((l) => /^\s*\d+\. /.test(l))) return `<ol start="${parseInt(lines[0], 10)}" style="margin:0;padding-left:24px;box-sizing:border-box;width:100%">${lines.map((l) => `<li>${inline(l.replace(/^\s*\d+\. /, ''))}</li>`).join('')}</ol>`;
            return `<p style="margin:0">${lines.map(inline).join('<br>')}</p>`;
          })
          .join('<div style="height:8px"></div>');
      AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
        result.outputHtml = markdown(text);
        result.didProcess = true;
      };
      const host = document.getElementById('card')!;
      host.innerHTML = '';
      const ac = new AC.AdaptiveCard();
      ac.hostConfig = new AC.HostConfig(hostConfig as object);
      ac.parse(card);
      const el = ac.render();
      if (el) host.appendChild(el);

      const measure = (inShowCard: boolean) =>
        Array.from(host.querySelectorAll<HTMLElement>('.ac-pushButton, .ac-pushButton-disabled'))
          // The overflow menu's "…" button is no label.
          .filter((b) => b.offsetParent !== null && !/^(\.\.\.|…)$/.test(b.innerText.trim()))
          .map((b) => {
            const title = (b.querySelector('div') ?? b) as HTMLElement;
            return { title: title.innerText, textWidth: title.scrollWidth, boxWidth: title.clientWidth, inShowCard };
          })
          .filter((m) => m.textWidth > m.boxWidth + 1);
      const cut = measure(false);
      const seen = new Set(cut.map((c) => c.title));
      // Each Action.ShowCard opened in turn: the buttons of its input area are visible too.
      const toggles = Array.from(host.querySelectorAll<HTMLElement>('button[aria-expanded="false"]'));
      for (const t of toggles) {
        t.click();
        for (const m of measure(true)) if (!seen.has(m.title)) (seen.add(m.title), cut.push(m));
        t.click();
      }
      return cut;
    },
    { card, hostConfig },
  );
}

const fileName = (f: CardFixture, theme: Theme, width: number) => `${f.name.replace(/[^A-Za-z0-9_-]+/g, '_')}-${theme}-${width}.png`;

function indexHtml(entries: Entry[], broken: Array<{ name: string; error: string }>): string {
  const e = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = entries
    .map((x) => {
      const cut = x.shots.flatMap((s) => s.cut.map((c) => `${s.theme} ${s.width} px: „${e(c.title)}“ ${c.textWidth} px in ${c.boxWidth} px${c.inShowCard ? ' (aufgeklappt)' : ''}`));
      const notes = [...x.findings.map(e), ...cut];
      return `<section id="${e(x.name)}"><h2>${e(x.name)}</h2>${notes.length ? `<ul>${notes.map((n) => `<li>${n}</li>`).join('')}</ul>` : '<p>Keine Befunde.</p>'}
<div class="shots">${x.shots.map((s) => `<figure><img src="${s.file}" alt="${e(x.name)} ${s.theme} ${s.width} px" loading="lazy"><figcaption>${s.theme}, ${s.width} px</figcaption></figure>`).join('')}</div></section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Kartengalerie</title>
<style>body{font-family:sans-serif;margin:24px}.shots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}figure{margin:0}img{display:block;border:1px solid #ccc}section{margin-bottom:40px}</style></head>
<body><h1>Kartengalerie des Integrations-Lotsen</h1>
<p>${entries.length} Karten, je hell und dunkel, 450 px und 328 px breit, mit den Teams-Host-Configs von Microsoft (cards/hostConfigs/). Erzeugt mit <code>npm run gallery</code> aus test/fixtures/cards.ts.</p>
${broken.length ? `<h2>Nicht darstellbar</h2><ul>${broken.map((b) => `<li>${e(b.name)}: ${e(b.error)}</li>`).join('')}</ul>` : ''}
<nav><ul>${entries.map((x) => `<li><a href="#${e(x.name)}">${e(x.name)}</a></li>`).join('')}</ul></nav>
${rows}</body></html>`;
}

/**
 * Where the product's row estimate (services/text/buttonWidth.ts) and the measurement at 328 px (light) disagree, per
 * card: the estimate lets a row pass whose label was cut, or finds a row too long that the renderer drew whole.
 */
function estimateDisagreements(fixtures: CardFixture[], entries: Entry[]): string[] {
  const out: string[] = [];
  fixtures.forEach((f, i) => {
    const shot = entries[i].shots.find((s) => s.width === 328 && s.theme === 'light');
    if (!shot) return;
    const measuredCut = shot.cut.filter((c) => !c.inShowCard).map((c) => c.title);
    const { rows } = readVisible(f.card);
    const estimatedCut = rows
      .filter((r) => !r.path.includes('.card.'))
      .flatMap((r) => {
        const primary = r.actions.filter((a) => !a.secondary);
        const shown = primary.slice(0, MAX_PRIMARY_ACTIONS).map((a) => a.title);
        return shown.length && !buttonRowFits(shown, primary.length < r.actions.length) ? shown : [];
      });
    if (measuredCut.length && !estimatedCut.length) out.push(`${f.name}: estimated to fit, measured cut: ${measuredCut.join(', ')}`);
    if (estimatedCut.length && !measuredCut.length) out.push(`${f.name}: estimated too long, measured whole: ${estimatedCut.join(', ')}`);
  });
  return out;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const { fixtures: all, broken } = await renderCardFixtures();
  const fixtures = only ? all.filter((f) => f.name.includes(only)) : all;
  const library = readFileSync(require.resolve('adaptivecards/dist/adaptivecards.js'), 'utf8');
  const fonts = fontFaces();
  const typed = await fixtureUserTexts();
  const hostConfigs: Record<Theme, unknown> = {
    light: JSON.parse(readFileSync(path.join(projectRoot, 'cards', 'hostConfigs', 'microsoft-teams-light.json'), 'utf8')),
    dark: JSON.parse(readFileSync(path.join(projectRoot, 'cards', 'hostConfigs', 'microsoft-teams-dark.json'), 'utf8')),
  };
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const entries: Entry[] = fixtures.map((f) => ({ name: f.name, lang: f.lang, shots: [], findings: describeFindings(readCard(f.card, f.lang, typed)) }));
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ deviceScaleFactor: 1, colorScheme: 'light', locale: 'de-DE' });
    // Nothing leaves the page: every request is refused (the cards' images and links are not loaded).
    await context.route('**/*', (route) => route.abort());
    const pg = await context.newPage();
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        await pg.setViewportSize({ width: width + 32, height: 900 });
        await pg.setContent(page(theme, width, library, fonts), { waitUntil: 'load' });
        // The data: fonts load asynchronously; a picture in the fallback font would measure the wrong widths.
        const loaded = await pg.evaluate(async () => {
          await Promise.all(['400', '600', '700'].map((w) => document.fonts.load(`${w} 14px 'Segoe UI'`)));
          return document.fonts.check("600 14px 'Segoe UI'");
        });
        if (!loaded) throw new Error('the Selawik font (scripts/galleryFonts/) did not load');
        for (const [i, f] of fixtures.entries()) {
          const cut = await renderInPage(pg, f.card, hostConfigs[theme]);
          const file = fileName(f, theme, width);
          await pg.locator('#card').screenshot({ path: path.join(OUT, file), animations: 'disabled' });
          entries[i].shots.push({ file, theme, width, cut });
        }
      }
    }
  } finally {
    await browser.close();
  }

  writeFileSync(path.join(OUT, 'report.json'), JSON.stringify({ fixtures: entries, broken }, null, 2));
  writeFileSync(path.join(OUT, 'index.html'), indexHtml(entries, broken));
  const pictures = entries.reduce((n, x) => n + x.shots.length, 0);
  const cutAt328 = entries.filter((x) => x.shots.some((s) => s.width === 328 && s.theme === 'light' && s.cut.length));
  console.log(`${pictures} pictures of ${entries.length} cards in ${path.relative(projectRoot, OUT)}/ (index.html, report.json)`);
  if (broken.length) console.log(`not rendered: ${broken.map((b) => b.name).join(', ')}`);
  for (const x of cutAt328) {
    const s = x.shots.find((y) => y.width === 328 && y.theme === 'light')!;
    console.log(`cut at 328 px: ${x.name}: ${s.cut.map((c) => `„${c.title}“`).join(', ')}`);
  }
  for (const d of estimateDisagreements(fixtures, entries)) console.log(`estimate: ${d}`);
  for (const x of entries.filter((y) => y.findings.length)) console.log(`reading: ${x.name}: ${x.findings.join(' / ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
