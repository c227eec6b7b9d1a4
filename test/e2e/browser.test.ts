import { chooseBrowser, launchChromium, SYSTEM_CHROMIUM } from '../support/browser';

jest.setTimeout(120_000);

describe('the browser the tab tests and the tab benchmark drive', () => {
  it('is the system Chromium when one is installed, else the build inside @sparticuz/chromium, unless LOTSE_BROWSER says otherwise', () => {
    const installed = (file: string) => file === SYSTEM_CHROMIUM;
    expect(chooseBrowser({}, installed)).toEqual({ source: 'system', executablePath: SYSTEM_CHROMIUM });
    expect(chooseBrowser({}, () => false)).toEqual({ source: 'packaged' });
    expect(chooseBrowser({ LOTSE_BROWSER: 'packaged' }, installed)).toEqual({ source: 'packaged' });
    expect(chooseBrowser({ LOTSE_BROWSER: '/opt/chromium/chrome' }, () => true)).toEqual({ source: 'system', executablePath: '/opt/chromium/chrome' });
    expect(() => chooseBrowser({ LOTSE_BROWSER: 'system' }, () => false)).toThrow(`there is no browser at ${SYSTEM_CHROMIUM}`);
    expect(() => chooseBrowser({ LOTSE_BROWSER: 'chrome' }, installed)).toThrow('use "packaged", "system" or an absolute path');
  });

  // Always the packaged build, even where a system Chromium exists: this is the browser of a bare machine.
  it('starts the packaged build here, renders text with a font, and maps every address but loopback to "not resolved"', async () => {
    const browser = await launchChromium({ source: 'packaged' });
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="t" style="font-family: sans-serif">Grüße aus Köln</p>');
      expect(await page.locator('#t').innerText()).toBe('Grüße aus Köln');
      // Without a font configuration that finds a font, the paragraph has no glyphs and no height.
      expect((await page.locator('#t').boundingBox())?.height).toBeGreaterThan(0);
      // An address literal outside loopback (TEST-NET-1, RFC 5737) fails as "name not resolved", i.e. the browser's
      // resolver rule answered before any connection was tried.
      const failure = await page.goto('http://192.0.2.1/').then(() => 'loaded', (err: Error) => err.message);
      expect(failure).toContain('net::ERR_NAME_NOT_RESOLVED');
    } finally {
      await browser.close();
    }
  });
});
