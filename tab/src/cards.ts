import { AdaptiveCard, HostConfig, OpenUrlAction, type Action } from 'adaptivecards';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const SAFE_URL = /^(https:\/\/|mailto:|tel:)[^\s"'<>]*$/i;

/** A CommonMark backslash escape: the bot writes them into user text (services/text/escape.ts). */
const ESCAPED = /\\([!-/:-@[-`{-~])/g;

/**
 * The small Markdown subset cards use (links, bold, italics, line breaks), on escaped text: no HTML gets through.
 * A backslash-escaped character is shown as itself and can start no markup (it is set aside before the rules run).
 */
export function miniMarkdown(text: string): string {
  const literal: string[] = [];
  const marked = text.replace(/\u0000/g, '').replace(ESCAPED, (_m, c: string) => `\u0000${literal.push(c) - 1}\u0000`);
  return escapeHtml(marked)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) =>
      SAFE_URL.test(url.replace(/&amp;/g, '&')) ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>` : whole,
    )
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:])/g, '$1<em>$2</em>')
    .replace(/\n/g, '<br>')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => `&#${literal[Number(i)].charCodeAt(0)};`);
}

AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = miniMarkdown(text);
  result.didProcess = true;
};

// Colours chosen for at least 4.5:1 contrast on the card background (WCAG 2.1 AA, BITV 2.0).
const hostConfig = new HostConfig({
  fontFamily: '"Segoe UI", system-ui, -apple-system, sans-serif',
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 24, extraLarge: 32, padding: 16 },
  fontSizes: { small: 13, default: 15, medium: 17, large: 21, extraLarge: 26 },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: { default: '#242424', subtle: '#555555' },
        accent: { default: '#005A78', subtle: '#005A78' },
        attention: { default: '#A4262C', subtle: '#A4262C' },
        good: { default: '#0B6A0B', subtle: '#0B6A0B' },
        warning: { default: '#7A4B00', subtle: '#7A4B00' },
      },
    },
    emphasis: { backgroundColor: '#F2F2F2', foregroundColors: { default: { default: '#242424', subtle: '#4F4F4F' } } },
    warning: { backgroundColor: '#FFF4CE', foregroundColors: { default: { default: '#3B2B00', subtle: '#4D3800' } } },
    attention: { backgroundColor: '#FDE7E9', foregroundColors: { default: { default: '#5C0F14', subtle: '#5C0F14' } } },
    good: { backgroundColor: '#DFF6DD', foregroundColors: { default: { default: '#0B3D0B', subtle: '#0B3D0B' } } },
    accent: { backgroundColor: '#E6F2F6', foregroundColors: { default: { default: '#00384B', subtle: '#00384B' } } },
  },
  actions: { actionsOrientation: 'horizontal', actionAlignment: 'left', buttonSpacing: 8, maxActions: 6, showCard: { actionMode: 'inline' } },
});

/**
 * Renders an Adaptive Card JSON into `host` with the `adaptivecards` renderer, as Teams would show it.
 * `openUrl` handles Action.OpenUrl (links to chats, mail, phone); other actions are not offered outside the chat.
 */
export function renderCard(json: Record<string, unknown>, host: HTMLElement, openUrl: (url: string) => void): void {
  const card = new AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action: Action) => {
    if (action instanceof OpenUrlAction && action.url && SAFE_URL.test(action.url)) openUrl(action.url);
  };
  card.parse(json);
  const rendered = card.render();
  host.replaceChildren();
  if (!rendered) return;
  // The renderer marks `style: heading` text as role=heading without a level; inside a section (h2) it is level 3.
  for (const heading of Array.from(rendered.querySelectorAll('[role="heading"]:not([aria-level])'))) heading.setAttribute('aria-level', '3');
  host.appendChild(rendered);
}
