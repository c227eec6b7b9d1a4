import { cardText, mailtoLink } from '../../../services/text/escape';

// The tab's renderer module registers itself with the adaptivecards SDK on import; only its Markdown step is tested here.
jest.mock('adaptivecards', () => ({ AdaptiveCard: class {}, HostConfig: class {}, OpenUrlAction: class {} }));
import { miniMarkdown } from '../../../tab/src/cards';

describe("the tab's card Markdown", () => {
  it('shows escaped user text as typed: no link, no emphasis, no tag, and no backslashes', () => {
    const planted = '[Bitte bestätigen](https://evil.example) **fett** _kursiv_ <at>x</at>';
    const html = miniMarkdown(cardText(planted));
    expect(html).not.toMatch(/<a |<strong>|<em>|<at>/);
    expect(html).not.toContain('\\');
    const decoded = html.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    expect(decoded).toBe(planted);
  });

  it('still renders our own links and bold text', () => {
    expect(miniMarkdown(`**Hinweis** ${mailtoLink('kfi_team@bra.nrw.de')}`)).toBe(
      '<strong>Hinweis</strong> <a href="mailto:kfi_team@bra.nrw.de" target="_blank" rel="noopener noreferrer">kfi&#95;team@bra.nrw.de</a>',
    );
  });
});
