/**
 * Reading checks: what a person sees on a rendered card (the JSON after templating), read as a user reads it.
 * Issue 20 ("Cards and a tab that people can use at a glance"): no internal ids, no ISO dates or time-zone names, no
 * raw URLs in text, no English words in a German view and no German words in an English one, and no more buttons than
 * fit at Teams' narrowest width.
 *
 * Visible text: TextBlock and RichTextBlock text, FactSet titles and values, input labels, placeholders, error messages
 * and toggle titles, choice titles, action titles; the same inside columns, containers, tables, ActionSets and the
 * cards of `Action.ShowCard` (they open in place). Not visible, so not read: input values (an `Input.Date` value is ISO
 * by definition), ids, `data`, URLs of `Action.OpenUrl` and of Markdown links, `fallback`, the card's `refresh`.
 *
 * The width rule (`actionTooLong`, services/text/buttonWidth.ts) estimates; the gallery (scripts/gallery.ts) measures the rendered buttons and
 * reports those whose text is cut.
 */

import { buttonRowFits, buttonRowWidthPx, MAX_PRIMARY_ACTIONS, NARROW_ROW_PX } from '../../services/text/buttonWidth';

export type ReadingRule = 'internalId' | 'isoDate' | 'timeZone' | 'rawUrl' | 'englishWord' | 'germanWord' | 'tooManyActions' | 'actionTooLong';

export interface ReadingFinding {
  rule: ReadingRule;
  /** Where on the card, as a JSON path (`body[2].facts[0].value`, `actions[1].title`). */
  path: string;
  /** What was found (the id, the date, the word, the title). */
  found: string;
  /** The visible text it was found in (shortened). */
  text: string;
}

export type VisibleKind = 'text' | 'fact' | 'label' | 'placeholder' | 'error' | 'choice' | 'action';

export interface VisibleText {
  path: string;
  kind: VisibleKind;
  text: string;
}

/** One row of buttons: the card's `actions`, an ActionSet's, or those of a card opened by Action.ShowCard. */
export interface ActionRow {
  path: string;
  actions: Array<{ path: string; title: string; type: string; secondary: boolean }>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Every text a person can see on the card, with where it is; and every row of buttons. */
export function readVisible(card: Json): { texts: VisibleText[]; rows: ActionRow[] } {
  const texts: VisibleText[] = [];
  const rows: ActionRow[] = [];
  const add = (path: string, kind: VisibleKind, text: unknown) => {
    if (typeof text === 'string' && text.trim()) texts.push({ path, kind, text });
  };

  const actionRow = (path: string, actions: unknown[]) => {
    const row: ActionRow = { path, actions: [] };
    actions.forEach((a, i) => {
      if (!isObject(a)) return;
      const p = `${path}[${i}]`;
      add(`${p}.title`, 'action', a.title);
      row.actions.push({ path: p, title: str(a.title), type: str(a.type), secondary: a.mode === 'secondary' });
      if (a.type === 'Action.ShowCard' && isObject(a.card)) cardBody(`${p}.card`, a.card);
    });
    if (row.actions.length) rows.push(row);
  };

  const element = (path: string, e: unknown) => {
    if (!isObject(e)) return;
    switch (e.type) {
      case 'TextBlock':
        add(`${path}.text`, 'text', e.text);
        break;
      case 'RichTextBlock':
        arr(e.inlines).forEach((r, i) => add(`${path}.inlines[${i}]`, 'text', typeof r === 'string' ? r : isObject(r) ? r.text : ''));
        break;
      case 'FactSet':
        arr(e.facts).forEach((f, i) => {
          if (!isObject(f)) return;
          add(`${path}.facts[${i}].title`, 'fact', f.title);
          add(`${path}.facts[${i}].value`, 'fact', f.value);
        });
        break;
      case 'ActionSet':
        actionRow(`${path}.actions`, arr(e.actions));
        break;
      case 'Input.Toggle':
        add(`${path}.title`, 'label', e.title);
        break;
      case 'Input.ChoiceSet':
        arr(e.choices).forEach((c, i) => add(`${path}.choices[${i}].title`, 'choice', isObject(c) ? c.title : ''));
        break;
      default:
        break;
    }
    if (str(e.type).startsWith('Input.')) {
      add(`${path}.label`, 'label', e.label);
      add(`${path}.placeholder`, 'placeholder', e.placeholder);
      add(`${path}.errorMessage`, 'error', e.errorMessage);
      if (isObject(e.inlineAction)) actionRow(`${path}.inlineAction`, [e.inlineAction]);
    }
    arr(e.items).forEach((x, i) => element(`${path}.items[${i}]`, x));
    arr(e.columns).forEach((c, i) => element(`${path}.columns[${i}]`, isObject(c) ? { type: 'Column', ...c } : c));
    arr(e.rows).forEach((r, i) => arr(isObject(r) ? r.cells : []).forEach((c, j) => element(`${path}.rows[${i}].cells[${j}]`, c)));
  };

  const cardBody = (path: string, c: Json) => {
    arr(c.body).forEach((e, i) => element(`${path}${path ? '.' : ''}body[${i}]`, e));
    actionRow(`${path}${path ? '.' : ''}actions`, arr(c.actions));
  };

  cardBody('', card);
  return { texts, rows };
}

// ------------------------------------------------------------------------------------------------ the rules on text

/** Markdown links show their text, not their URL: `[Text](url)` reads as `Text`. */
export function withoutLinkTargets(text: string): string {
  return text.replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, '$1');
}

/**
 * Internal ids in the product's shapes (services/requests/requestService.ts: `anl-<uuid>`, `vtr-<uuid>`;
 * services/circle/circleService.ts: `p-<uuid>`, `m-<uuid>`, topics `topic:<n>`), AAD object ids and other GUIDs,
 * Teams user and bot ids (`29:…`, `28:…`, `8:orgid:…`), conversation and channel ids (`a:…`, `19:…@thread…`), and
 * the start of any of these cut with "…". `28:`/`29:` cannot be a time of day (hours end at 23).
 */
const ID_PATTERNS: RegExp[] = [
  /\b(?:anl|vtr|vor|p|m)-[0-9a-f]{6,}(?:-[0-9a-f]{1,12}){0,4}(?:-?…)?/gi,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /(?<![\w:])(?:28|29):[0-9A-Za-z_-]{4,}/g,
  /\b8:orgid:[0-9a-f-]+/gi,
  /(?<![\w:])19:[^\s]+@thread[\w.]*/g,
  /(?<![\w:])a:[0-9A-Za-z_-]{12,}/g,
  /\btopic:\d+\b/g,
];

/** ISO dates and date-times: `2025-01-10`, `2025-01-10T09:00`, `2025-01-10 09:00`. */
const ISO_PATTERNS: RegExp[] = [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, /\bT\d{2}:\d{2}(?::\d{2})?Z?\b/g];

/** IANA zone names and the abbreviations a German reader does not use (`MEZ`/`MESZ` and "Uhr" are German and fine). */
const ZONE_PATTERNS: RegExp[] = [/\b(?:Europe|America|Africa|Asia|Australia|Pacific|Atlantic|Indian|Antarctica|Etc)\/[A-Z][A-Za-z_+-]+/g, /\b(?:UTC|GMT|CET|CEST)(?:[+-]\d{1,2}(?::?\d{2})?)?\b/g];

/** A bare web address; `[Text](url)` links are removed before. E-mail addresses and phone numbers are not URLs. */
const URL_PATTERNS: RegExp[] = [/\bhttps?:\/\/[^\s)<>"…]+/gi, /(?<![@\w.-])www\.[a-z0-9-]+\.[a-z]{2,}[^\s)<>"]*/gi];

/**
 * Common English UI words that do not belong in a German view, matched as whole words (not inside a hyphenated
 * compound such as "Online-Meeting") and case-sensitively: a button says "Save", a sentence says "the".
 * Left out on purpose, because German uses the same word: Status, Details, Team/Teams (Microsoft Teams), Chat, Online,
 * Link, Start, Name, Info, Service, Feedback, Bot, Code, Agenda, Hotline, E-Mail. Left out, too, English words that are
 * German words in their own right: also, will, was, war, die, hat, fast, bald, man, Art, See, Rat, Kind, Gift, Rock,
 * Handy, Chef, Boot, Tag, Ende, Thema, Termin, in, an, so, um, Not, Rest, Plan, Problem, Person; "Not" and "Open"
 * differ in case from the German "Not" and "offen", so only the English forms are listed.
 */
export const ENGLISH_UI_WORDS: readonly string[] = [
  // buttons and commands
  'Save', 'Submit', 'Cancel', 'Reply', 'Open', 'Close', 'Send', 'Delete', 'Edit', 'Back', 'Next', 'Previous', 'Done', 'Accept',
  'Decline', 'Reject', 'Join', 'View', 'Show', 'Hide', 'Refresh', 'Update', 'Confirm', 'Continue', 'Add', 'Remove', 'Select',
  'Choose', 'Answer', 'Ask', 'Search', 'Help', 'Settings', 'Login', 'Logout', 'Sign', 'Download', 'Upload', 'Apply',
  // things
  'Request', 'Requests', 'Report', 'Reports', 'Meeting', 'Meetings', 'Poll', 'Polls', 'Date', 'Time', 'Deadline', 'Due',
  'Subject', 'Description', 'Message', 'Messages', 'Agenda item', 'Minutes', 'Topic', 'Topics', 'Decision', 'Reason',
  'Urgency', 'Category', 'Deputy', 'Commissioner', 'Authority', 'Office', 'Contact', 'Phone', 'Source', 'Overview',
  'Welcome', 'Error', 'Warning', 'Required', 'Optional', 'New', 'Open items', 'Pending', 'Closed', 'Cancelled', 'Canceled',
  // answers and function words that only English has
  'Yes', 'No', 'Maybe', 'Please', 'please', 'the', 'The', 'and', 'your', 'Your', 'you', 'You', 'with', 'from', 'for', 'of',
  'to', 'is', 'are', 'this', 'This', 'that', 'not', 'by', 'on', 'at', 'or', 'be', 'has', 'been', 'was not', 'here', 'Here',
];

const ENGLISH_PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}_-])(?:${[...ENGLISH_UI_WORDS].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}_-])`,
  'gu',
);

/**
 * German words that do not belong in an English view: the product's own German UI words (buttons, labels, states) and
 * function words only German has, matched as whole words, case-sensitively. What a person typed (a subject, a note) and
 * directory data (names, office hours) stay as typed and are not the product's text: callers pass them as `userTexts`.
 * Left out because English uses them too or they are names: Status, Team, Name, Start, Link, Info, Online, E-Mail, IB
 * (the abbreviation stays, introduced as "integration commissioner"), place names.
 */
export const GERMAN_UI_WORDS: readonly string[] = [
  // the product's things and states
  'Anliegen', 'Vortrag', 'Vorträge', 'Vorgang', 'Vorgänge', 'Rückfrage', 'Nachfragen', 'Antwort', 'Antworten', 'Weisung',
  'Frist', 'Betreff', 'Beschreibung', 'Zusammenfassung', 'Dringlichkeit', 'Eilig', 'eilig', 'Erledigt', 'erledigt',
  'Abgelehnt', 'abgelehnt', 'Neu', 'Offen', 'offen', 'Verlauf', 'Sitzung', 'Sitzungen', 'Umfrage', 'Terminumfrage',
  'Tagesordnung', 'Protokoll', 'Stellvertretung', 'Vertretung', 'Behördenleitung', 'Hausleitung', 'Leitung', 'Büro',
  'Ansprechperson', 'Sprechzeiten', 'Abwesenheiten', 'Anbindung', 'Verzeichnis', 'Beteiligung', 'Beratung', 'Maßnahme',
  'Integrationsbeauftragte', 'Integrationsbeauftragten', 'Beauftragte', 'Datenschutz', 'Hilfe', 'Zugestellt',
  // buttons
  'Senden', 'Speichern', 'Abbrechen', 'Weiter', 'Zurück', 'Öffnen', 'Schließen', 'Löschen', 'Ändern', 'Bestätigen',
  'Übernehmen', 'Zusagen', 'Absagen', 'Vielleicht', 'Ja', 'Nein', 'Zur Kenntnis', 'Termin vorschlagen', 'Abstimmen',
  // function words only German has
  'und', 'oder', 'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'mit', 'für', 'Für', 'von', 'nicht',
  'Sie', 'Ihre', 'Ihr', 'Ihnen', 'bitte', 'Bitte', 'noch', 'bis', 'zum', 'zur', 'ist', 'sind', 'wird', 'keine', 'Keine',
  'auch', 'nach', 'bei', 'über', 'Uhr', 'am', 'vom',
];

/**
 * German terms the English texts keep on purpose, each with its reason; removed from the text before the German words
 * are looked for (so the "für" in "Kompetenzzentrum für Integration" is no finding).
 */
export const GERMAN_TERMS_KEPT: Readonly<Record<string, string>> = {
  'Kompetenzzentrum für Integration': 'the KfI\'s proper name (RdErl. Nr. 6), introduced once, then "KfI"',
  'Kommunales Integrationszentrum': 'a proper name of a municipal body (KI), as staff know it',
  'Kommunale Integrationszentrum': 'the same name, inflected',
  'Integrations-Lotse': 'the product\'s name',
  'Teilhabe- und Integrationsgesetz': 'the law\'s title (TIntG)',
  'Menschen mit Einwanderungsgeschichte': 'the TIntG\'s defined term',
  'Bezirksregierung': 'the authority\'s legal name; "district government" would be a second name for the same thing',
  'Bezirksregierungen': 'the same, plural',
  'Koordinierungskreis': 'the name of the IB\'s circle run by the KfI (RdErl. Nr. 6)',
  'Dezernat': 'the unit in the authority\'s organisation chart, glossed "Department (Dezernat)"',
  'Runderlass': 'the decree\'s title',
  'Mein Lotse': 'the tab\'s name in Teams (German app); the English tab says "My Lotse"',
  'Lotse': 'the product\'s short name',
  'Bestellung von Integrationsbeauftragten bei den Bezirksregierungen': 'the decree\'s title, quoted as its name beside "decree … of 5 Dec 2023"',
};

const escapeRe = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordPattern = (words: readonly string[]) =>
  new RegExp(`(?<![\\p{L}\\p{N}_-])(?:${[...words].sort((a, b) => b.length - a.length).map(escapeRe).join('|')})(?![\\p{L}\\p{N}_-])`, 'gu');
const GERMAN_PATTERN = wordPattern(GERMAN_UI_WORDS);
const KEPT_PATTERN = wordPattern(Object.keys(GERMAN_TERMS_KEPT));

/**
 * The German words in an English text, after the kept terms and the given user texts are taken out: a user text with a
 * space wherever it stands, a single word only when it is the whole text (so a typed "Behördenleitung" cannot hide the
 * product's own).
 */
export function germanWords(text: string, userTexts: readonly string[] = []): string[] {
  if (userTexts.includes(text.trim())) return [];
  let rest = text;
  for (const u of [...userTexts].filter((x) => /\s/.test(x.trim())).sort((a, b) => b.length - a.length)) rest = rest.split(u).join(' ');
  rest = rest.replace(new RegExp(KEPT_PATTERN.source, KEPT_PATTERN.flags), ' ');
  return rest.match(new RegExp(GERMAN_PATTERN.source, GERMAN_PATTERN.flags)) ?? [];
}

// ------------------------------------------------------------------------------------------------ the rules on buttons

/*
 * The width rule uses the product's own estimate of a button row at 328 px (services/text/buttonWidth.ts: Selawik
 * Semibold 14 px widths, Microsoft's metric-compatible stand-in for Segoe UI, the buttons' padding and gaps, the "…"
 * menu): the same one the request views choose their rows with. Two buttons beside "…" get 296 px, e.g. "Antworten" +
 * "Nachfragen" take 260 px and fit; "Antworten" + "Rückfrage stellen" take 297 px and do not (the gallery measured it cut).
 */
export { MAX_PRIMARY_ACTIONS, NARROW_CARD_PX } from '../../services/text/buttonWidth';

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}…` : one;
}

/** What the patterns find, in order; each find is blanked out before the next pattern looks (no double counting). */
function takeAll(patterns: RegExp[], text: string): { found: string[]; rest: string } {
  const found: string[] = [];
  let rest = text;
  for (const p of patterns) {
    rest = rest.replace(new RegExp(p.source, p.flags), (m) => {
      found.push(m);
      return ' ';
    });
  }
  return { found, rest };
}
const matches = (patterns: RegExp[], text: string): string[] => takeAll(patterns, text).found;

/**
 * Every reading problem of one rendered card in `lang`. `userTexts`: what people typed and directory data shown on the
 * card as it is (German in an English view is no finding there).
 */
export function readCard(card: Json, lang: 'de' | 'en', userTexts: readonly string[] = []): ReadingFinding[] {
  const { texts, rows } = readVisible(card);
  const findings: ReadingFinding[] = [];
  const push = (rule: ReadingRule, path: string, found: string, text: string) => findings.push({ rule, path, found, text: clip(text) });

  for (const t of texts) {
    const shown = withoutLinkTargets(t.text);
    // Each rule reads what the ones before left: an id's digit groups are no date, a date's "Z" no time zone.
    const ids = takeAll(ID_PATTERNS, shown);
    for (const id of ids.found) push('internalId', t.path, id, t.text);
    const dates = takeAll(ISO_PATTERNS, ids.rest);
    for (const d of dates.found) push('isoDate', t.path, d, t.text);
    for (const z of matches(ZONE_PATTERNS, dates.rest)) push('timeZone', t.path, z, t.text);
    for (const u of matches(URL_PATTERNS, shown)) push('rawUrl', t.path, u, t.text);
    if (lang === 'de') for (const w of matches([ENGLISH_PATTERN], shown)) push('englishWord', t.path, w, t.text);
    if (lang === 'en') for (const w of germanWords(shown, userTexts)) push('germanWord', t.path, w, t.text);
  }

  for (const row of rows) {
    const primary = row.actions.filter((a) => !a.secondary);
    if (primary.length > MAX_PRIMARY_ACTIONS) push('tooManyActions', row.path, `${primary.length} buttons: ${primary.map((a) => a.title).join(' | ')}`, '');
    const overflow = primary.length < row.actions.length;
    const shown = primary.slice(0, MAX_PRIMARY_ACTIONS).map((a) => a.title);
    const px = buttonRowWidthPx(shown, overflow);
    if (shown.length && !buttonRowFits(shown, overflow)) push('actionTooLong', row.path, `${shown.join(' | ')} (${px} > ${NARROW_ROW_PX} px${overflow ? ' beside "…"' : ''})`, '');
  }
  return findings;
}

/** One line per finding, for test messages and the gallery's report. */
export function describeFindings(findings: ReadingFinding[]): string[] {
  return findings.map((f) => `${f.rule}: ${f.found}${f.text && f.text !== f.found ? `  in "${f.text}"` : ''}  (${f.path})`);
}
