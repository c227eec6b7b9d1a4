import { DOWNLOADS_SUB_ENTITY, tabDeepLink } from '../../../bot/tab/deepLink';

const APP_ID = '00000000-0000-4000-8000-0000000000c0';

describe('the deep link to the personal tab', () => {
  it('opens the tab „Mein Lotse“ without a sub-page', () => {
    expect(tabDeepLink(APP_ID)).toBe(`https://teams.microsoft.com/l/entity/${APP_ID}/mein-lotse`);
  });

  it('carries the sub-page as a URL-encoded context {"subEntityId": …}, which Teams hands to the tab', () => {
    const link = new URL(tabDeepLink(APP_ID, DOWNLOADS_SUB_ENTITY));
    expect(`${link.origin}${link.pathname}`).toBe(`https://teams.microsoft.com/l/entity/${APP_ID}/mein-lotse`);
    expect(link.search).toBe('?context=%7B%22subEntityId%22%3A%22downloads%22%7D');
    expect(JSON.parse(link.searchParams.get('context')!)).toEqual({ subEntityId: 'downloads' });
  });
});
