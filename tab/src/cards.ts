import { AdaptiveCard, ExecuteAction, HostConfig, OpenUrlAction, type Action } from 'adaptivecards';

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

/** The Teams themes the tab follows (`app.getContext().app.theme`). */
export type CardTheme = 'default' | 'dark' | 'contrast';

interface Palette {
  background: string;
  text: string;
  subtle: string;
  accent: string;
  attention: string;
  good: string;
  warning: string;
  /** Background and text of the emphasis, warning, attention, good and accent containers. */
  containers: Record<'emphasis' | 'warning' | 'attention' | 'good' | 'accent', [string, string]>;
}

// Colours chosen for at least 4.5:1 contrast on their backgrounds (WCAG 2.1 AA, BITV 2.0), in each theme; the same
// values as the page's (app.css), so a card reads as part of the tab.
const PALETTES: Record<CardTheme, Palette> = {
  default: {
    background: '#FFFFFF', text: '#242424', subtle: '#555555', accent: '#005A78', attention: '#A4262C', good: '#0B6A0B', warning: '#7A4B00',
    containers: { emphasis: ['#F2F2F2', '#242424'], warning: ['#FFF4CE', '#3B2B00'], attention: ['#FDE7E9', '#5C0F14'], good: ['#DFF6DD', '#0B3D0B'], accent: ['#E6F2F6', '#00384B'] },
  },
  dark: {
    background: '#292929', text: '#FFFFFF', subtle: '#D1D1D1', accent: '#7FD3F0', attention: '#FF9AA2', good: '#9FE29F', warning: '#F8D67A',
    containers: { emphasis: ['#1F1F1F', '#FFFFFF'], warning: ['#3D3000', '#FFF4CE'], attention: ['#44161A', '#FFE3E5'], good: ['#123B12', '#DFF6DD'], accent: ['#0B3A4B', '#E6F7FC'] },
  },
  // High contrast: black ground, white text, yellow for what acts (links, buttons), as Teams' own contrast theme.
  contrast: {
    background: '#000000', text: '#FFFFFF', subtle: '#FFFFFF', accent: '#FFFF00', attention: '#FFFFFF', good: '#FFFFFF', warning: '#FFFFFF',
    containers: { emphasis: ['#000000', '#FFFFFF'], warning: ['#000000', '#FFFFFF'], attention: ['#000000', '#FFFFFF'], good: ['#000000', '#FFFFFF'], accent: ['#000000', '#FFFFFF'] },
  },
};

function hostConfigFor(theme: CardTheme): HostConfig {
  const p = PALETTES[theme];
  const colour = (c: string) => ({ default: c, subtle: c });
  const container = ([backgroundColor, text]: [string, string]) => ({ backgroundColor, foregroundColors: { default: colour(text), accent: colour(text), attention: colour(text), good: colour(text), warning: colour(text) } });
  return new HostConfig({
    fontFamily: '"Segoe UI", system-ui, -apple-system, sans-serif',
    supportsInteractivity: true,
    spacing: { small: 4, default: 8, medium: 16, large: 24, extraLarge: 32, padding: 16 },
    fontSizes: { small: 13, default: 15, medium: 17, large: 21, extraLarge: 26 },
    containerStyles: {
      default: {
        backgroundColor: p.background,
        foregroundColors: { default: { default: p.text, subtle: p.subtle }, accent: colour(p.accent), attention: colour(p.attention), good: colour(p.good), warning: colour(p.warning) },
      },
      emphasis: container(p.containers.emphasis),
      warning: container(p.containers.warning),
      attention: container(p.containers.attention),
      good: container(p.containers.good),
      accent: container(p.containers.accent),
    },
    actions: { actionsOrientation: 'horizontal', actionAlignment: 'left', buttonSpacing: 8, maxActions: 6, showCard: { actionMode: 'inline' } },
  });
}

const HOST_CONFIGS: Record<CardTheme, HostConfig> = { default: hostConfigFor('default'), dark: hostConfigFor('dark'), contrast: hostConfigFor('contrast') };

function currentTheme(): CardTheme {
  const theme = document.documentElement.dataset.theme;
  return theme === 'dark' || theme === 'contrast' ? theme : 'default';
}

/** Carries out a card's `Action.Execute` (the tab posts it to its API): its verb, its own data and the values of its inputs. */
export type ExecuteHandler = (verb: string, data: Record<string, unknown>, inputs: Record<string, string>) => void;

/** The cards on the page, drawn again when Teams switches the theme. */
const cardsShown = new Map<HTMLElement, { json: Record<string, unknown>; openUrl: (url: string) => void; execute?: ExecuteHandler }>();

/** Draws every card still on the page again, in the current theme. */
export function rerenderCards(): void {
  for (const [host, card] of Array.from(cardsShown)) {
    if (host.isConnected && host.childElementCount) renderCard(card.json, host, card.openUrl, card.execute);
    else cardsShown.delete(host);
  }
}

/**
 * Renders an Adaptive Card JSON into `host` with the `adaptivecards` renderer, as Teams would show it.
 * `openUrl` handles Action.OpenUrl (links to chats, mail, phone); `execute`, where given, Action.Execute (after the
 * renderer checked the required inputs, showing their error messages as Teams does).
 */
export function renderCard(json: Record<string, unknown>, host: HTMLElement, openUrl: (url: string) => void, execute?: ExecuteHandler): void {
  const card = new AdaptiveCard();
  const theme = currentTheme();
  card.hostConfig = HOST_CONFIGS[theme];
  cardsShown.set(host, { json, openUrl, execute });
  host.dataset.cardTheme = theme;
  card.onExecuteAction = (action: Action) => {
    if (action instanceof OpenUrlAction && action.url && SAFE_URL.test(action.url)) openUrl(action.url);
    else if (action instanceof ExecuteAction && execute) {
      const inputs: Record<string, string> = {};
      for (const [id, input] of Object.entries(action.getReferencedInputs() ?? {})) if (typeof input.value === 'string') inputs[id] = input.value;
      // `data` holds the inputs too once the renderer prepared the action: only the card's own data goes as data.
      const data = Object.fromEntries(Object.entries((action.data ?? {}) as Record<string, unknown>).filter(([k]) => !(k in inputs)));
      execute(action.verb, data, inputs);
    }
  };
  card.parse(json);
  const rendered = card.render();
  host.replaceChildren();
  if (!rendered) return;
  // The renderer marks `style: heading` text as role=heading without a level; inside a section (h2) it is level 3.
  for (const heading of Array.from(rendered.querySelectorAll('[role="heading"]:not([aria-level])'))) heading.setAttribute('aria-level', '3');
  host.appendChild(rendered);
}
