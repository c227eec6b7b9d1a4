import { app, authentication } from '@microsoft/teams-js';
import { renderCard, rerenderCards, type CardTheme } from './cards';
import { directoryEditorSection } from './directoryEditor';
import { cadenceSection } from './cadence';
import { postsSection } from './posts';
import { knowledgeSections } from './knowledge';
import { requestFormArea } from './requestForm';
import { langOf, TEXTS, type Lang, type Texts } from './texts';
// The API's shapes, defined once with the server (type-only: nothing of bot/ goes into the bundle).
import type { CaseSummary, CircleItem, ComposerField, ComposerKind, ComposerProblem, ErasureOutcome, Localized, OwnEntry, UnansweredQuestionView } from '../../bot/tab/wire';

/** `GET /api/tab/me` (bot/tab/tabService.ts). */
interface Me {
  lang: Lang;
  name?: string;
  roles: { commissionerOf: string[]; deputyOf: string[]; headOf: string[]; headOfficeOf: string[]; kfi: boolean; circleMember: boolean };
  home: { authority: string; name: string; source: 'chosen' | 'emailDomain' } | null;
  authorities: Array<{ code: string; name: string }>;
  contactCard: Record<string, unknown> | null;
  /** Instead of the contact card (a deputy while the IB is absent): whom they stand in for. */
  contactNote?: string;
  /** The IB's own directory entry, instead of a contact card showing themselves. */
  ownEntry?: OwnEntry;
  /** The bot's app id, for links to the chat with it (absent in local development). */
  botId?: string;
  sections: {
    unanswered?: { authority: string; authorityName: string; questions: UnansweredQuestionView[] };
    inbox?: CaseSummary[];
    reports?: CaseSummary[];
    requests?: CaseSummary[];
    circle?: { items: CircleItem[] };
    composer?: { kinds: ComposerKind[] };
    downloads?: { trailCsv: boolean; myData: boolean };
  };
}

/** How long app.initialize may take before the page assumes it is not inside Teams. */
const INIT_TIMEOUT_MS = 4000;

let lang: Lang = langOf(new URLSearchParams(location.search).get('lang') ?? navigator.language);
let t: Texts = TEXTS[lang];
let token = '';
/** From `GET /api/tab/me`: the bot's id, which is not the token's audience when the tab has its own app (TAB_APP_ID). */
let botIdOfServer: string | undefined;

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

function setLang(next: Lang): void {
  lang = next;
  t = TEXTS[next];
  document.documentElement.lang = next;
  document.title = `${t.title} – Integrations-Lotse`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

const dateFormat = () => new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' });
const dateTimeFormat = () => new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Berlin' });
function time(iso: string | undefined, withTime = false): Node | string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return h('time', { datetime: iso }, (withTime ? dateTimeFormat() : dateFormat()).format(d));
}

function main(): HTMLElement {
  return document.getElementById('main')!;
}

function ready(state: 'ready' | 'notice' | 'error'): void {
  main().removeAttribute('aria-busy');
  document.documentElement.dataset.state = state;
  performance.mark('lotse:interactive');
}

function showMessage(title: string, text: string, role: 'alert' | 'status', retry?: () => void): void {
  main().replaceChildren(
    h('div', { class: 'notice', role }, h('h1', {}, title), h('p', {}, text), retry ? h('button', { type: 'button', class: 'primary', id: 'retry' }, t.retry) : null),
  );
  if (retry) document.getElementById('retry')!.addEventListener('click', retry);
}

/** Outside Teams: both languages, because the page cannot know the user's Teams language. */
function showOutsideTeams(): void {
  document.documentElement.lang = 'de';
  main().replaceChildren(
    h(
      'div',
      { class: 'notice', role: 'alert', id: 'outside-teams' },
      h('h1', {}, TEXTS.de.outsideTitle),
      h('p', {}, TEXTS.de.outside),
      h('h2', { lang: 'en' }, TEXTS.en.outsideTitle),
      h('p', { lang: 'en' }, TEXTS.en.outside),
    ),
  );
  ready('notice');
}

class ApiError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`HTTP ${status}`);
  }
}

/** A request with the SSO token; once more with a fresh token after a 401 (the cached one may just have expired). */
async function authorizedFetch(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const send = () =>
    fetch(path, {
      method,
      headers: { ...headers, authorization: `Bearer ${token}`, 'accept-language': lang, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  let res = await send();
  if (res.status === 401) {
    token = await authentication.getAuthToken();
    res = await send();
  }
  return res;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await authorizedFetch(method, path, body);
  const parsed: unknown = await res.json().catch(() => undefined);
  if (!res.ok && res.status !== 400) throw new ApiError(res.status, parsed);
  return parsed as T;
}

function openUrl(url: string): void {
  if (/^https:/i.test(url)) app.openLink(url).catch(() => window.open(url, '_blank', 'noopener'));
  else window.open(url, '_blank', 'noopener');
}

/**
 * The bot's id from the audience of the tab's SSO token, when the server did not name it: without TAB_APP_ID the
 * manifest's webApplicationInfo names the bot's own registration (`api://<host>/<bot id>`). Only for the chat link.
 */
function botIdFromToken(jwt: string): string | undefined {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { aud?: unknown };
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    return typeof aud === 'string' ? /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(aud)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

/** A Teams deep link to the 1:1 chat with the Lotse with `message` typed in (the user sends it). */
function botChatLink(message: string): string | undefined {
  const botId = botIdOfServer ?? botIdFromToken(token);
  return botId ? `https://teams.microsoft.com/l/chat/0/0?users=28:${botId}&message=${encodeURIComponent(message)}` : undefined;
}

function chatButton(id: string, label: string, message: string, kind: 'primary' | 'secondary'): HTMLElement | null {
  const link = botChatLink(message);
  if (!link) return null;
  const button = h('button', { type: 'button', class: kind, id }, label);
  button.addEventListener('click', () => openUrl(link));
  return button;
}

function section(id: string, heading: string, ...children: Child[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-heading`, class: 'panel' }, h('h2', { id: `${id}-heading` }, heading), ...children);
}

function roleLines(me: Me): string[] {
  const name = (code: string) => me.authorities.find((a) => a.code === code)?.name ?? code;
  return [
    ...me.roles.commissionerOf.map((c) => t.roleIb(name(c))),
    ...me.roles.deputyOf.map((c) => t.roleDeputy(name(c))),
    ...me.roles.headOf.map((c) => t.roleHead(name(c))),
    ...me.roles.headOfficeOf.map((c) => t.roleHeadOffice(name(c))),
    ...(me.roles.kfi ? [t.roleKfi] : []),
    ...(me.roles.circleMember ? [t.roleCircle] : []),
  ];
}

function contactSection(me: Me): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', id: 'home-status' });
  const select = h(
    'select',
    { id: 'home-select', name: 'authority', required: true, 'aria-describedby': 'home-status' },
    h('option', { value: '' }, t.homePlaceholder),
    ...me.authorities.map((a) => h('option', { value: a.code, selected: me.home?.authority === a.code }, a.name)),
  );
  const form = h(
    'form',
    { id: 'home-form', class: 'inline-form', hidden: !!me.home },
    h('label', { for: 'home-select' }, t.homeLabel),
    select,
    h('button', { type: 'submit', class: 'primary' }, t.homeSave),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!select.value) {
      status.textContent = t.homeMissing;
      select.setAttribute('aria-invalid', 'true');
      select.focus();
      return;
    }
    api<Me>('PUT', '/api/tab/home', { authority: select.value }).then(
      (next) => {
        render(next);
        const saved = document.getElementById('home-status');
        if (saved) saved.textContent = t.homeSaved(next.home?.name ?? '');
        document.getElementById('home-change')?.focus();
      },
      () => (status.textContent = t.failed),
    );
  });
  const cardHost = h('div', { class: 'card-host', id: 'contact-card' });
  const children: Child[] = [];
  if (me.home) {
    children.push(
      h(
        'p',
        { class: 'home-line' },
        t.homeCurrent(me.home.name, me.home.source === 'emailDomain'),
        ' ',
        h('button', { type: 'button', class: 'link', id: 'home-change', 'aria-controls': 'home-form', 'aria-expanded': 'false' }, t.homeChange),
      ),
    );
    children.push(me.contactCard ? cardHost : h('p', { id: 'contact-note' }, me.contactNote ?? t.noContact));
  } else {
    children.push(h('p', {}, t.homeIntro));
  }
  children.push(form, status);
  const node = section('contact', t.contactHeading, ...children);
  if (me.contactCard) renderCard(me.contactCard, cardHost, openUrl);
  node.querySelector('#home-change')?.addEventListener('click', (event) => {
    const button = event.currentTarget as HTMLButtonElement;
    const open = form.hidden;
    form.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) select.focus();
  });
  return node;
}

function ownEntrySection(entry: NonNullable<Me['ownEntry']>): HTMLElement {
  const l = t.ownEntryLabels;
  const none = t.ownEntryNone;
  const day = (iso: string) => {
    const d = new Date(`${iso}T12:00:00Z`);
    return Number.isNaN(d.getTime()) ? iso : dateFormat().format(d);
  };
  const absences = entry.absences.length ? entry.absences.map((a) => `${day(a.from)} – ${day(a.to)}${a.note ? ` (${a.note})` : ''}`).join('; ') : t.ownEntryNoAbsences;
  const deputy = entry.deputy ? [entry.deputy.name, entry.deputy.email, entry.deputy.phone].filter(Boolean).join(', ') : none;
  const facts: Array<[string, Child]> = [
    [l.name, entry.name],
    [l.title, entry.title],
    [l.orgUnit, entry.orgUnit],
    [l.email, entry.email],
    [l.phone, entry.phone ?? none],
    [l.officeHours, entry.officeHours ?? none],
    [l.absences, absences],
    [l.deputy, deputy],
    [l.lastVerified, day(entry.lastVerified)],
  ];
  return section(
    'own-entry',
    t.ownEntryHeading,
    h('p', { class: 'intro' }, t.ownEntryIntro(entry.authorityName)),
    h('dl', { class: 'facts' }, ...facts.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
    h('p', {}, t.ownEntryChange),
    chatButton('own-entry-change', t.ownEntryChangeButton, lang === 'de' ? 'Meine Angaben' : 'my details', 'secondary'),
  );
}

function unansweredSection(data: NonNullable<Me['sections']['unanswered']>): HTMLElement {
  const list = data.questions.length
    ? h(
        'ul',
        { class: 'items' },
        // Keywords, not the question: the list never quotes what someone asked.
        ...data.questions.map((q) => h('li', {}, h('span', { class: 'meta' }, time(q.askedAt)), ' ', h('span', { class: 'keywords', lang: q.language }, q.keywords.join(' · ')))),
      )
    : h('p', {}, t.unansweredNone);
  return section('unanswered', t.unansweredHeading(data.authorityName), h('p', { class: 'intro' }, t.unansweredIntro), list);
}

function casesSection(id: string, heading: string, none: string, cases: CaseSummary[], authorities: Me['authorities'], lead: Child[] = []): HTMLElement {
  if (!cases.length) return section(id, heading, ...lead, h('p', {}, none));
  const c = t.columns;
  const labels = [c.subject, c.kind, c.authority, c.status, c.deadline, c.updated];
  const head = h('tr', { role: 'row' }, ...labels.map((label) => h('th', { scope: 'col', role: 'columnheader' }, label)));
  // At narrow widths each row becomes a card (app.css); the roles keep it a table for screen readers, data-label
  // names each value there.
  const cell = (i: number, ...content: Child[]) => h('td', { role: 'cell', 'data-label': labels[i] }, ...content);
  const rows = cases.map((x) =>
    h(
      'tr',
      { 'data-id': x.id, role: 'row' },
      // A Vortrag's line whether it reached the head (IB side only; the server sends it only to them).
      h('th', { scope: 'row', role: 'rowheader' }, openButton(x), x.reach ? h('p', { class: x.reach.unreachable ? 'reach attention' : 'reach' }, x.reach[lang]) : null),
      cell(1, x.kindLabel?.[lang] ?? t.kinds[x.kind] ?? x.kind),
      cell(2, x.kfi ? t.kfiShort : authorities.find((a) => a.code === x.authority)?.name ?? x.authority),
      cell(3, h('span', { class: `badge status-${x.status.code.replace(/[^a-z0-9-]/gi, '')}` }, x.status[lang])),
      // Past the Frist: said in words beside the date, not by colour alone.
      cell(4, time(x.deadline), x.overdue ? ' ' : null, x.overdue ? h('span', { class: 'badge overdue' }, t.overdue) : null),
      cell(5, time(x.updatedAt, true)),
    ),
  );
  return section(
    id,
    heading,
    ...lead,
    h('table', { class: 'cases', role: 'table' }, h('caption', { class: 'visually-hidden' }, heading), h('thead', { role: 'rowgroup' }, head), h('tbody', { role: 'rowgroup' }, ...rows)),
  );
}

/** The subject of a row, as the button that opens the item in the tab. */
function openButton(x: CaseSummary): HTMLElement {
  const button = h('button', { type: 'button', class: 'link row-open', 'data-open': `${x.authority}/${x.id}`, 'aria-describedby': 'row-open-hint' }, x.subject);
  button.addEventListener('click', () => void openItem({ authority: x.authority, id: x.id, kind: x.kind }));
  return button;
}

/** What the item routes answer (bot/tab/items.ts `TabItemResult`). */
interface ItemAnswer {
  item?: { authority: string; id: string; kind?: string };
  card?: Record<string, unknown>;
  code?: string;
  message?: string;
}

/** The overview as last loaded: the item view goes back to it. */
let overview: Me | undefined;

/** Back from an item to the overview, loaded again (the item may have changed), with the focus on the item's row. */
async function backToOverview(from?: { authority: string; id: string }): Promise<void> {
  try {
    overview = await api<Me>('GET', '/api/tab/me');
  } catch {
    // The overview as it was: better than nothing to go back to.
  }
  if (!overview) return;
  render(overview);
  const row = from ? main().querySelector<HTMLElement>(`[data-open="${CSS.escape(`${from.authority}/${from.id}`)}"]`) : null;
  (row ?? main().querySelector<HTMLElement>('h1'))?.focus();
}

/**
 * An Anliegen or Vortrag in the tab: the card the bot sends this person in the chat, rendered here, its actions posted
 * to the tab's API (`POST /api/tab/items/:authority/:id/actions`); the answer (the changed card, the current one with a
 * notice, or why not) takes its place. „Zurück zur Übersicht“ (or Escape) returns to the list.
 */
async function openItem(ref: { authority: string; id: string; kind: string }, note = ''): Promise<void> {
  let current = { authority: ref.authority, id: ref.id };
  const heading = h('h1', { id: 'item-heading', tabindex: '-1' }, t.kinds[ref.kind] ?? ref.kind);
  const status = h('p', { class: 'status', role: 'status', id: 'item-status' }, t.itemOpening);
  const error = h('div', { class: 'problems', id: 'item-error', role: 'alert' });
  const cardHost = h('div', { class: 'card-host', id: 'item-card' });
  const back = h('button', { type: 'button', class: 'secondary', id: 'item-back' }, `← ${t.itemBack}`);
  back.addEventListener('click', () => void backToOverview(current));
  const view = h('section', { id: 'item', 'aria-labelledby': 'item-heading' }, heading, status, error, cardHost);
  view.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (event.key === 'Escape' && !target.closest('input, textarea, select')) void backToOverview(current);
  });
  main().replaceChildren(h('nav', { class: 'item-nav', 'aria-label': t.title }, back), view);
  heading.focus();

  const show = (answer: ItemAnswer, note: string) => {
    error.replaceChildren();
    if (answer.item) current = { authority: answer.item.authority, id: answer.item.id };
    // „Vortrag öffnen“ on an Anliegen (or the other way round): the heading names what is shown now.
    if (answer.item?.kind) heading.textContent = t.kinds[answer.item.kind] ?? answer.item.kind;
    if (answer.card) renderCard(answer.card, cardHost, openUrl, execute);
    status.textContent = note;
  };
  const refused = (answer: ItemAnswer | undefined) => {
    status.textContent = '';
    error.replaceChildren(h('p', {}, answer?.message || t.failed));
  };
  // One action at a time: a second click while the first is on its way would only be refused as stale.
  let busy = false;
  const execute = (verb: string, data: Record<string, unknown>, inputs: Record<string, string>) => {
    if (busy) return;
    busy = true;
    status.textContent = t.itemSending;
    void (async () => {
      try {
        const res = await authorizedFetch('POST', `/api/tab/items/${encodeURIComponent(current.authority)}/${encodeURIComponent(current.id)}/actions`, { verb, data, inputs });
        const answer = (await res.json().catch(() => undefined)) as ItemAnswer | undefined;
        if (res.ok && answer?.card) {
          show(answer, t.itemUpdated);
          // The button pressed is gone with the old card: the focus goes to the top of the item.
          heading.focus();
        } else refused(answer);
      } catch {
        refused(undefined);
      } finally {
        busy = false;
      }
    })();
  };
  try {
    const res = await authorizedFetch('GET', `/api/tab/items/${encodeURIComponent(ref.authority)}/${encodeURIComponent(ref.id)}`);
    const answer = (await res.json().catch(() => undefined)) as ItemAnswer | undefined;
    if (res.ok && answer?.card) show(answer, note);
    else refused(answer);
  } catch {
    refused(undefined);
  }
}

function circleSection(data: NonNullable<Me['sections']['circle']>): HTMLElement {
  if (!data.items.length) return section('circle', t.circleHeading, h('p', {}, t.circleNone));
  return section(
    'circle',
    t.circleHeading,
    h(
      'ul',
      { class: 'items' },
      ...data.items.map((i) =>
        h(
          'li',
          { 'data-id': i.id },
          h('span', { class: 'meta' }, i.kind[lang], ' · ', time(i.when, true)),
          ' ',
          h('strong', {}, i.title),
          ' ',
          h('span', { class: 'badge' }, i.status[lang]),
          i.detail ? h('p', {}, i.detail) : null,
          i.reach ? h('p', { class: 'reach' }, i.reach[lang]) : null,
        ),
      ),
    ),
  );
}

function fieldControl(kind: ComposerKind, field: ComposerField): HTMLElement {
  const id = `f-${kind.id}-${field.name}`;
  const described = [field.hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  if (field.type === 'checkboxes') {
    // Several of the options: a fieldset of check boxes named after the field; its value is the checked ones, one per line.
    return h(
      'fieldset',
      { class: 'field choices', id, 'aria-describedby': described, tabindex: '-1', 'data-field': field.name },
      h('legend', {}, field.label[lang], field.required ? h('span', { class: 'required' }, ` (${t.required})`) : null),
      field.hint ? h('p', { class: 'hint', id: `${id}-hint` }, field.hint[lang]) : null,
      ...(field.options ?? []).map((o, i) =>
        h('label', { class: 'choice', for: `${id}-${i}` }, h('input', { type: 'checkbox', id: `${id}-${i}`, name: field.name, value: o.value }), ' ', o.label[lang]),
      ),
      h('p', { class: 'error', id: `${id}-error` }),
    );
  }
  const common = { id, name: field.name, required: !!field.required, 'aria-describedby': described, maxlength: String(field.maxLength ?? 2000) };
  let control: HTMLElement;
  if (field.type === 'textarea') control = h('textarea', { ...common, rows: '4' });
  else if (field.type === 'select') {
    control = h('select', { id, name: field.name, required: !!field.required, 'aria-describedby': described }, h('option', { value: '' }, t.homePlaceholder), ...(field.options ?? []).map((o) => h('option', { value: o.value }, o.label[lang])));
  } else control = h('input', { ...common, type: field.type });
  return h(
    'div',
    { class: 'field', 'data-field': field.name },
    h('label', { for: id }, field.label[lang], field.required ? h('span', { class: 'required' }, ` (${t.required})`) : null),
    field.hint ? h('p', { class: 'hint', id: `${id}-hint` }, field.hint[lang]) : null,
    control,
    h('p', { class: 'error', id: `${id}-error` }),
  );
}

function composerSection(kinds: ComposerKind[]): HTMLElement {
  let current = kinds[0];
  let previewed: string | undefined;
  const formHost = h('div', { id: 'composer-fields' });
  const problems = h('div', { class: 'problems', id: 'composer-problems', role: 'alert' });
  const previewHost = h('div', { class: 'card-host', id: 'composer-preview-card' });
  const previewStatus = h('p', { class: 'status', role: 'status', id: 'composer-status' });
  const previewButton = h('button', { type: 'button', class: 'secondary', id: 'composer-preview' }, t.preview);
  const sendButton = h('button', { type: 'submit', class: 'primary', id: 'composer-send', disabled: true }, current.sendLabel[lang]);
  const form = h('form', { id: 'composer-form', novalidate: true }, formHost, problems, h('div', { class: 'buttons' }, previewButton, sendButton));

  // Fields with `visibleWhen` follow the field they depend on (e.g. the departments only for „Ausgewählte Abteilungen“).
  const hiddenNow = (f: ComposerField): boolean => {
    if (!f.visibleWhen) return false;
    const other = form.elements.namedItem(f.visibleWhen.field) as HTMLSelectElement | HTMLInputElement | null;
    return !(other?.value ?? '').startsWith(f.visibleWhen.startsWith);
  };
  function showFields(): void {
    for (const f of current.fields) {
      const wrapper = formHost.querySelector<HTMLElement>(`[data-field="${f.name}"]`);
      if (wrapper) wrapper.hidden = hiddenNow(f);
    }
  }
  const values = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const f of current.fields) {
      // A field shown only for some choices (the departments of a post) is sent empty while hidden.
      if (hiddenNow(f)) {
        out[f.name] = '';
        continue;
      }
      out[f.name] =
        f.type === 'checkboxes'
          ? [...form.querySelectorAll<HTMLInputElement>(`input[type="checkbox"][name="${f.name}"]`)].filter((c) => c.checked).map((c) => c.value).join('\n')
          : ((form.elements.namedItem(f.name) as HTMLInputElement | null)?.value ?? '');
    }
    return out;
  };
  const showProblems = (list: ComposerProblem[]) => {
    for (const f of current.fields) {
      const el = document.getElementById(`f-${current.id}-${f.name}`);
      const err = document.getElementById(`f-${current.id}-${f.name}-error`);
      const mine = list.filter((p) => p.field === f.name);
      el?.toggleAttribute('aria-invalid', mine.length > 0);
      if (err) err.textContent = mine.map((p) => p.message[lang]).join(' ');
    }
    const general = list.filter((p) => !p.field);
    problems.replaceChildren(...(list.length ? [h('p', {}, t.problemsIntro), ...general.map((p) => h('p', {}, p.message[lang]))] : []));
    const first = list.find((p) => p.field);
    if (first) document.getElementById(`f-${current.id}-${first.field}`)?.focus();
  };
  const fill = () => {
    formHost.replaceChildren(...(current.description ? [h('p', { class: 'intro' }, current.description[lang])] : []), ...current.fields.map((f) => fieldControl(current, f)));
    showFields();
    sendButton.textContent = current.sendLabel[lang];
    sendButton.disabled = true;
    previewed = undefined;
    previewHost.replaceChildren();
  };
  form.addEventListener('change', showFields);
  form.addEventListener('input', () => {
    if (previewed !== undefined && previewed !== JSON.stringify(values())) {
      sendButton.disabled = true;
      previewStatus.textContent = t.previewStale;
    }
  });
  previewButton.addEventListener('click', async () => {
    const input = values();
    try {
      const result = await api<{ ok: boolean; card?: Record<string, unknown>; note?: Localized; problems?: ComposerProblem[] }>('POST', '/api/tab/preview', { kind: current.id, input });
      if (!result.ok || !result.card) {
        showProblems(result.problems ?? []);
        return;
      }
      showProblems([]);
      renderCard(result.card, previewHost, openUrl);
      previewed = JSON.stringify(input);
      sendButton.disabled = false;
      previewStatus.textContent = result.note ? `${result.note[lang]} ${t.previewHint}` : t.previewHint;
    } catch {
      previewStatus.textContent = t.failed;
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = values();
    if (previewed !== JSON.stringify(input)) {
      previewStatus.textContent = t.previewStale;
      return;
    }
    sendButton.disabled = true;
    previewStatus.textContent = t.sending;
    try {
      const result = await api<{ ok: boolean; message?: Localized; problems?: ComposerProblem[] }>('POST', '/api/tab/send', { kind: current.id, input });
      if (!result.ok) {
        showProblems(result.problems ?? []);
        sendButton.disabled = false;
        previewStatus.textContent = '';
        return;
      }
      form.reset();
      fill();
      previewStatus.textContent = result.message?.[lang] ?? '';
    } catch {
      sendButton.disabled = false;
      previewStatus.textContent = t.failed;
    }
  });

  const chooser =
    kinds.length > 1
      ? h(
          'fieldset',
          { class: 'kinds' },
          h('legend', {}, t.composerKind),
          ...kinds.map((k, i) =>
            h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'composer-kind', value: k.id, checked: i === 0 }), ' ', k.label[lang]),
          ),
        )
      : h('p', { class: 'intro' }, kinds[0].label[lang]);
  chooser.addEventListener('change', (event) => {
    const value = (event.target as HTMLInputElement).value;
    current = kinds.find((k) => k.id === value) ?? current;
    fill();
  });
  fill();
  return section(
    'composer',
    t.composerHeading,
    chooser,
    form,
    h('section', { 'aria-labelledby': 'composer-preview-heading', class: 'preview' }, h('h3', { id: 'composer-preview-heading' }, t.previewHeading), previewStatus, previewHost),
  );
}

/**
 * Downloads need the SSO token, which a plain link cannot carry: the file is fetched, then saved through a
 * temporary blob link with the name the server gave it.
 */
function downloadsSection(data: NonNullable<Me['sections']['downloads']>): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const item = (id: string, name: string, label: string, hint: string) => {
    const button = h('button', { type: 'button', class: 'secondary', id }, label);
    button.addEventListener('click', () => {
      button.disabled = true;
      status.textContent = t.downloading;
      void (async () => {
        try {
          const res = await authorizedFetch('GET', `/api/tab/downloads/${name}`);
          if (!res.ok) throw new ApiError(res.status, undefined);
          const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? name;
          const url = URL.createObjectURL(await res.blob());
          const link = h('a', { href: url, download: filename });
          document.body.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10_000);
          status.textContent = t.downloaded(filename);
        } catch {
          status.textContent = t.failed;
        } finally {
          button.disabled = false;
        }
      })();
    });
    return h('li', {}, button, h('p', { class: 'hint' }, hint));
  };
  return section(
    'downloads',
    t.downloadsHeading,
    h('p', { class: 'intro' }, t.downloadsIntro),
    h(
      'ul',
      { class: 'downloads' },
      data.trailCsv ? item('download-trail', 'trail.csv', t.downloadTrail, t.downloadTrailHint) : null,
      data.myData ? item('download-my-data', 'my-data.json', t.downloadMyData, t.downloadMyDataHint) : null,
      data.myData ? eraseItem() : null,
    ),
    status,
  );
}

/**
 * "Meine Daten löschen": the button opens a confirmation in the page (Teams blocks the browser's own dialogs in
 * tabs); only "Endgültig löschen" sends the request, and the answer says what was deleted and what is kept.
 */
function eraseItem(): HTMLElement {
  const open = h('button', { type: 'button', class: 'secondary', id: 'erase-my-data', 'aria-expanded': 'false', 'aria-controls': 'erase-confirm-dialog' }, t.eraseMyData);
  const confirm = h('button', { type: 'button', class: 'primary', id: 'erase-confirm' }, t.eraseConfirm);
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'erase-cancel' }, t.eraseCancel);
  const dialog = h(
    'div',
    { role: 'alertdialog', id: 'erase-confirm-dialog', 'aria-labelledby': 'erase-confirm-title', 'aria-describedby': 'erase-confirm-text', hidden: true },
    h('p', { id: 'erase-confirm-title' }, h('strong', {}, t.eraseConfirmTitle)),
    h('p', { id: 'erase-confirm-text' }, t.eraseConfirmText),
    h('div', { class: 'buttons' }, confirm, cancel),
  );
  const result = h('div', { id: 'erase-result', role: 'status', 'aria-live': 'polite' });
  const show = (visible: boolean) => {
    dialog.hidden = !visible;
    open.setAttribute('aria-expanded', String(visible));
    (visible ? cancel : open).focus();
  };
  open.addEventListener('click', () => {
    result.replaceChildren();
    show(true);
  });
  cancel.addEventListener('click', () => {
    show(false);
    result.replaceChildren(h('p', {}, t.eraseCancelled));
  });
  confirm.addEventListener('click', () => {
    confirm.disabled = cancel.disabled = true;
    result.replaceChildren(h('p', {}, t.erasing));
    void (async () => {
      try {
        const res = await authorizedFetch('DELETE', '/api/tab/my-data');
        if (!res.ok) throw new ApiError(res.status, undefined);
        const outcome = (await res.json()) as ErasureOutcome;
        result.replaceChildren(h('p', {}, h('strong', {}, outcome.heading)), ...outcome.paragraphs.map((p) => h('p', {}, p)));
      } catch {
        result.replaceChildren(h('p', {}, t.failed));
      } finally {
        confirm.disabled = cancel.disabled = false;
        show(false);
      }
    })();
  });
  return h('li', {}, open, h('p', { class: 'hint' }, t.eraseMyDataHint), dialog, result);
}

/**
 * Each role's main task first: the IB side its inbox and reports (most urgent first), the head side the reports,
 * the KfI its inbox (Anliegen to the KfI) and the composer, everyone else „Anliegen senden“ and their own requests; the rest follows.
 */
function render(me: Me): void {
  setLang(me.lang);
  const roles = roleLines(me);
  const s = me.sections;
  const r = me.roles;
  const ibSide = r.commissionerOf.length + r.deputyOf.length > 0;
  const headSide = r.headOf.length + r.headOfficeOf.length > 0;
  // „Anliegen senden“ opens the form in the tab (tab/src/requestForm.ts); it stands out only where sending a request is
  // the main task (staff).
  const sendRequest = () =>
    requestFormArea({
      lang,
      h,
      request: async (method, path, body) => {
        const res = await authorizedFetch(method, path, body);
        return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
      },
      home: me.home?.authority,
      primary: !(ibSide || headSide || r.kfi),
      openItem,
      texts: { sendRequest: t.sendRequest, failed: t.failed, required: t.required, sending: t.sending },
    });
  const parts: Record<string, () => Child> = {
    contact: () => (me.ownEntry && !me.contactCard ? ownEntrySection(me.ownEntry) : contactSection(me)),
    unanswered: () => s.unanswered && unansweredSection(s.unanswered),
    inbox: () => s.inbox && casesSection('inbox', t.inboxHeading, t.inboxNone, s.inbox, me.authorities),
    reports: () => s.reports && casesSection('reports', t.reportsHeading, t.reportsNone, s.reports, me.authorities),
    requests: () =>
      s.requests &&
      casesSection('requests', t.requestsHeading, t.requestsNone, s.requests, me.authorities, [sendRequest()]),
    circle: () => s.circle && circleSection(s.circle),
    composer: () => !!s.composer?.kinds.length && composerSection(s.composer.kinds),
    // The KfI's cadence of the circle (tab/src/cadence.ts): loads its own data.
    cadence: () =>
      r.kfi &&
      cadenceSection({
        lang,
        h,
        request: async (method, path, body) => {
          const res = await authorizedFetch(method, path, body);
          return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
        },
        renderCard,
        openUrl,
        failed: t.failed,
        required: t.required,
        heading: t.cadenceHeading,
      }),
    downloads: () => s.downloads && downloadsSection(s.downloads),
    // The directory editor (tab/src/directoryEditor.ts) shows itself only to the IB and directory administrators.
    directory: () => directoryEditorSection(authorizedFetch, lang),
  };
  const order = ibSide
    ? ['inbox', 'reports', 'unanswered', 'contact', 'directory', 'requests', 'circle', 'composer', 'cadence', 'downloads']
    : headSide
      ? ['reports', 'inbox', 'contact', 'directory', 'requests', 'circle', 'composer', 'cadence', 'unanswered', 'downloads']
      : r.kfi
        ? ['composer', 'inbox', 'cadence', 'circle', 'contact', 'directory', 'requests', 'reports', 'unanswered', 'downloads']
        : ['requests', 'contact', 'directory', 'circle', 'composer', 'cadence', 'inbox', 'reports', 'unanswered', 'downloads'];
  const nodes = order.map((key) => parts[key]()).filter((p): p is HTMLElement => p instanceof HTMLElement);
  // The knowledge base and the figures (tab/src/knowledge.ts, issue 18): the IB side and the KfI; the server re-checks.
  if (ibSide || r.kfi) nodes.push(...knowledgeSections({ lang, h, api, renderCard, openUrl }));
  // Information posts (tab/src/posts.ts): what the viewer sent and received; it stays hidden while there are none.
  nodes.push(
    postsSection({
      lang,
      h,
      request: async (method, path, body) => {
        const res = await authorizedFetch(method, path, body);
        return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
      },
      failed: t.failed,
    }),
  );
  const head = h('header', { class: 'page-head' }, h('h1', {}, t.title), me.name ? h('p', { class: 'who' }, t.signedInAs(me.name)) : null, roles.length ? h('p', { class: 'roles' }, roles.join(' · ')) : null);
  overview = me;
  main().replaceChildren(head, ...nodes, h('p', { id: 'row-open-hint', hidden: true }, t.itemOpenHint));
}

function applyTheme(theme: string | undefined): void {
  const next: CardTheme = theme === 'dark' || theme === 'contrast' ? theme : 'default';
  if (document.documentElement.dataset.theme === next) return;
  document.documentElement.dataset.theme = next;
  // The rendered Adaptive Cards take their colours from the host config: drawn again in the new theme.
  rerenderCards();
}

/**
 * A deep link into the tab opens an item: `https://teams.microsoft.com/l/entity/<app id>/mein-lotse?context=` with
 * `{"subEntityId":"item:<authority>:<id>"}`, which Teams hands over as the context's `page.subPageId`.
 */
function itemOfSubPage(subPageId: string | undefined, me: Me): { authority: string; id: string; kind: string } | undefined {
  const match = /^item:([a-z]{1,20}):([A-Za-z0-9_-]{1,100})$/.exec(subPageId ?? '');
  if (!match) return undefined;
  const [, authority, id] = match;
  const listed = [...(me.sections.inbox ?? []), ...(me.sections.reports ?? []), ...(me.sections.requests ?? [])].find((c) => c.authority === authority && c.id === id);
  return { authority, id, kind: listed?.kind ?? (id.startsWith('vtr-') ? 'report' : 'request') };
}

/** The deep link from the „Meine Daten“ card in the chat (`{"subEntityId":"downloads"}`, DOWNLOADS_SUB_ENTITY in bot/tab/deepLink.ts) jumps to the downloads. */
const DOWNLOADS_SUB_PAGE = 'downloads';

/** Scrolls to a section of the overview and puts the focus on its heading (a screen reader reads it out). */
function focusSection(id: string): void {
  const heading = document.getElementById(`${id}-heading`);
  if (!heading) return;
  heading.tabIndex = -1;
  heading.scrollIntoView({ block: 'start' });
  heading.focus();
}

async function load(subPage?: Promise<string | undefined>): Promise<void> {
  try {
    token = await authentication.getAuthToken();
  } catch {
    // Without an app registration for the tab (a managed-identity bot without TAB_APP_ID) Teams has no token to give:
    // the API, asked without one, says whether sign-in is set up at all.
    const probe = await fetch('/api/tab/me').then(async (res) => ({ status: res.status, body: (await res.json().catch(() => undefined)) as { code?: string } | undefined }), () => undefined);
    const notConfigured = probe?.status === 503 && probe.body?.code === 'SsoNotConfigured';
    showMessage(t.signInFailedTitle, notConfigured ? t.notConfigured : t.signInFailed, 'alert', () => void load());
    ready('error');
    return;
  }
  try {
    const me = await api<Me>('GET', '/api/tab/me');
    botIdOfServer = me.botId;
    render(me);
    const subPageId = await subPage;
    const item = itemOfSubPage(subPageId, me);
    if (item) await openItem(item);
    else if (subPageId === DOWNLOADS_SUB_PAGE) focusSection('downloads');
    ready('ready');
  } catch (err) {
    const notConfigured = err instanceof ApiError && err.status === 503 && (err.body as { code?: string } | undefined)?.code === 'SsoNotConfigured';
    showMessage(t.signInFailedTitle, notConfigured ? t.notConfigured : t.failed, 'alert', () => void load());
    ready('error');
  }
}

async function start(): Promise<void> {
  setLang(lang);
  try {
    await withTimeout(app.initialize(), INIT_TIMEOUT_MS);
  } catch {
    showOutsideTeams();
    return;
  }
  // The theme arrives with the context; the language already came with the URL (`?lang={locale}`), so the first view
  // does not wait for it.
  const context = app.getContext();
  context.then(
    (c) => applyTheme(c.app.theme),
    () => undefined,
  );
  app.registerOnThemeChangeHandler(applyTheme);
  await load(context.then((c) => c.page?.subPageId, () => undefined));
}

void start();
