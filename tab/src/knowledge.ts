/**
 * The knowledge base and the figures in the personal tab (issue 18), for the IB side and the KfI: unanswered questions
 * as topic and keywords, the answers taught with their versions, a form to add or correct one (preview on the answer
 * card, then publish), and the weekly figures with "< 5" for small groups. The server decides who may see and do what.
 */
import type { FiguresWire, KnowledgeEntryWire, KnowledgeLocalized, KnowledgeOption, KnowledgeProblemWire, KnowledgeWire, CellWire } from '../../bot/tab/knowledgeWire';
import { KNOWLEDGE_TAB_TEXTS, type KnowledgeTabTexts } from './knowledgeTexts';

type Child = Node | string | null | undefined | false;

/** What the tab's main module lends: element helper, API call, card renderer, the language. */
export interface KnowledgeHost {
  lang: 'de' | 'en';
  h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | boolean | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
  /** JSON API call; resolves with the body for 2xx and 400, rejects otherwise (403 included). */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  renderCard(card: Record<string, unknown>, host: HTMLElement, openUrl: (url: string) => void): void;
  openUrl(url: string): void;
}

const FIELDS = ['scope', 'intent', 'corrects', 'triggers', 'answerDe', 'answerEn', 'source'] as const;
type Field = (typeof FIELDS)[number];

/** The two sections; each fills itself once its data arrives. */
export function knowledgeSections(host: KnowledgeHost): HTMLElement[] {
  const t = KNOWLEDGE_TAB_TEXTS[host.lang] as KnowledgeTabTexts;
  return [knowledgeSection(host, t), figuresSection(host, t)];
}

function panel(host: KnowledgeHost, id: string, heading: string, ...children: Child[]): HTMLElement {
  const { h } = host;
  return h('section', { id, 'aria-labelledby': `${id}-heading`, class: 'panel' }, h('h2', { id: `${id}-heading` }, heading), ...children);
}

const dateOf = (lang: 'de' | 'en', iso: string, withTime = false) =>
  new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', ...(withTime ? { timeStyle: 'short' } : {}), timeZone: 'Europe/Berlin' }).format(new Date(iso));

function knowledgeSection(host: KnowledgeHost, t: KnowledgeTabTexts): HTMLElement {
  const { h } = host;
  const body = h('div', {}, h('p', { class: 'loading' }, t.loading));
  const section = panel(host, 'knowledge', t.heading, h('p', { class: 'intro' }, t.intro), body);
  const load = async (status?: string) => {
    try {
      const data = await host.api<KnowledgeWire>('GET', '/api/tab/knowledge');
      body.replaceChildren(...content(host, t, data, load));
      if (status) {
        const line = document.getElementById('knowledge-status');
        if (line) line.textContent = status;
      }
    } catch {
      body.replaceChildren(h('p', { role: 'alert' }, t.failed));
    }
  };
  void load();
  return section;
}

function label(l: KnowledgeLocalized, lang: 'de' | 'en'): string {
  return l[lang];
}

function content(host: KnowledgeHost, t: KnowledgeTabTexts, data: KnowledgeWire, reload: (status?: string) => Promise<void>): HTMLElement[] {
  const { h, lang } = host;
  const form = entryForm(host, t, data, reload);

  const unanswered = data.unanswered.flatMap((u) => u.questions.map((q) => ({ ...q, authority: u.authority, authorityName: u.authorityName })));
  const unansweredList = unanswered.length
    ? h(
        'ul',
        { class: 'items', id: 'knowledge-unanswered' },
        ...unanswered.map((q) => {
          const button = h('button', { type: 'button', class: 'link', 'aria-label': t.useKeywordsLabel(q.keywords.join(', ')) }, t.useKeywords);
          button.addEventListener('click', () => form.start({ scope: q.authority, triggers: q.keywords.join('\n') }));
          return h(
            'li',
            {},
            h('span', { class: 'meta' }, dateOf(lang, q.askedAt)),
            ' · ',
            data.unanswered.length > 1 ? `${q.authorityName} · ` : '',
            label(q.intentLabel, lang),
            ': ',
            // Keywords, not the question: the list never quotes what someone asked.
            h('span', { class: 'keywords', lang: q.language }, q.keywords.join(' · ')),
            ' ',
            button,
          );
        }),
      )
    : h('p', {}, t.unansweredNone);

  const entries = data.entries.length
    ? h('ul', { class: 'items', id: 'knowledge-entries' }, ...data.entries.map((e) => entryItem(host, t, e, form, reload)))
    : h('p', {}, t.entriesNone);

  return [
    h('p', { class: 'status', role: 'status', id: 'knowledge-status' }),
    h('h3', {}, t.unansweredHeading),
    h('p', { class: 'hint' }, t.unansweredIntro),
    unansweredList,
    h('h3', {}, t.entriesHeading),
    entries,
    form.element,
  ];
}

function entryItem(host: KnowledgeHost, t: KnowledgeTabTexts, e: KnowledgeEntryWire, form: EntryForm, reload: (status?: string) => Promise<void>): HTMLElement {
  const { h, lang } = host;
  const topic = label(e.intentLabel, lang);
  const scope = label(e.scopeLabel, lang);
  const edit = h('button', { type: 'button', class: 'secondary', 'aria-label': t.editLabel(scope, topic) }, t.edit);
  edit.addEventListener('click', () => form.start({ key: e.key, scope: e.scope, intent: e.intent, corrects: e.corrects ?? '', triggers: e.triggers.join('\n'), answerDe: e.answerDe, answerEn: e.answerEn, source: e.source }, { topic, version: e.current }));
  const versions = h(
    'ul',
    { class: 'items' },
    ...e.versions.map((v) => {
      const restore = v.version === e.current ? h('span', { class: 'badge' }, t.current) : h('button', { type: 'button', class: 'link', 'aria-label': t.restoreLabel(v.version) }, t.restore);
      if (restore instanceof HTMLButtonElement) {
        restore.addEventListener('click', async () => {
          restore.disabled = true;
          try {
            const r = await host.api<{ ok: boolean; message?: KnowledgeLocalized }>('POST', '/api/tab/knowledge/rollback', { scope: e.scope, key: e.key, version: v.version });
            await reload(r.message?.[lang] ?? '');
          } catch {
            restore.disabled = false;
          }
        });
      }
      return h(
        'li',
        {},
        h('strong', {}, t.version(v.version)),
        ` · ${dateOf(lang, v.publishedAt, true)} · ${t.by(label(v.publishedBy, lang))}`,
        v.rolledBackFrom ? ` · ${t.restoredFrom(v.rolledBackFrom)}` : '',
        ' ',
        restore,
        h('p', { class: 'hint', lang: 'de' }, v.answerDe),
      );
    }),
  );
  return h(
    'li',
    {},
    h('p', {}, h('strong', {}, topic), ` · ${scope} · ${t.version(e.current)} · ${label(e.sourceLabel, lang)}`),
    h('p', { lang: 'de' }, e.answerDe),
    h('p', { class: 'buttons' }, edit),
    h('details', {}, h('summary', {}, t.versionsSummary(e.versions.length)), versions),
  );
}

interface EntryForm {
  element: HTMLElement;
  start(values: Partial<Record<Field | 'key', string>>, editing?: { topic: string; version: number }): void;
}

function entryForm(host: KnowledgeHost, t: KnowledgeTabTexts, data: KnowledgeWire, reload: (status?: string) => Promise<void>): EntryForm {
  const { h, lang } = host;
  let key = '';
  let previewed: string | undefined;
  const id = (f: string) => `kb-${f}`;
  const select = (f: Field, options: KnowledgeOption[], placeholder: string) =>
    h('select', { id: id(f), name: f, 'aria-describedby': `${id(f)}-error` }, h('option', { value: '' }, placeholder), ...options.map((o) => h('option', { value: o.value }, label(o.label, lang))));
  const area = (f: Field, rows: string, max: number, hint: boolean) =>
    h('textarea', { id: id(f), name: f, rows, maxlength: String(max), 'aria-describedby': [hint ? `${id(f)}-hint` : '', `${id(f)}-error`].filter(Boolean).join(' ') });
  const field = (f: Field, text: string, control: HTMLElement, hint?: string, required = true) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id(f) }, text, required ? h('span', { class: 'required' }, ` (${t.required})`) : null),
      hint ? h('p', { class: 'hint', id: `${id(f)}-hint` }, hint) : null,
      control,
      h('p', { class: 'error', id: `${id(f)}-error` }),
    );
  const correctable = data.intents;
  const editing = h('p', { class: 'intro', id: 'kb-editing' });
  const problems = h('div', { class: 'problems', id: 'kb-problems', role: 'alert' });
  const previewHost = h('div', { class: 'card-host', id: 'kb-preview-card' });
  const status = h('p', { class: 'status', role: 'status', id: 'kb-status' });
  const previewButton = h('button', { type: 'button', class: 'secondary', id: 'kb-preview' }, t.preview);
  const publishButton = h('button', { type: 'submit', class: 'primary', id: 'kb-publish', disabled: true }, t.publish);
  const newButton = h('button', { type: 'button', class: 'link', id: 'kb-new' }, t.newEntry);
  const form = h(
    'form',
    { id: 'kb-form', novalidate: true },
    editing,
    field('scope', t.scope, select('scope', data.scopes, t.choose)),
    field('intent', t.intent, select('intent', data.intents, t.choose)),
    field('corrects', t.corrects, select('corrects', correctable, t.correctsNone), t.correctsHint, false),
    field('triggers', t.triggers, area('triggers', '3', data.limits.triggers * (data.limits.trigger + 1), true), t.triggersHint, false),
    field('answerDe', t.answerDe, area('answerDe', '4', data.limits.answer, true), t.answerHint),
    field('answerEn', t.answerEn, area('answerEn', '4', data.limits.answer, true), t.answerHint),
    field('source', t.source, select('source', data.sources, t.choose)),
    problems,
    h('div', { class: 'buttons' }, previewButton, publishButton, newButton),
  );
  const control = (f: Field) => form.elements.namedItem(f) as HTMLInputElement | null;
  const values = (): Record<string, string> => {
    const out: Record<string, string> = key ? { key } : {};
    for (const f of FIELDS) out[f] = control(f)?.value ?? '';
    return out;
  };
  const showProblems = (list: KnowledgeProblemWire[]) => {
    for (const f of FIELDS) {
      const mine = list.filter((p) => p.field === f);
      control(f)?.toggleAttribute('aria-invalid', mine.length > 0);
      const err = document.getElementById(`${id(f)}-error`);
      if (err) err.textContent = mine.map((p) => p.message[lang]).join(' ');
    }
    const general = list.filter((p) => !(FIELDS as readonly string[]).includes(p.field));
    problems.replaceChildren(...(list.length ? [h('p', {}, t.problemsIntro), ...general.map((p) => h('p', {}, p.message[lang]))] : []));
    const first = list.find((p) => (FIELDS as readonly string[]).includes(p.field));
    if (first) control(first.field as Field)?.focus();
  };
  const start = (v: Partial<Record<Field | 'key', string>>, edit?: { topic: string; version: number }) => {
    form.reset();
    key = v.key ?? '';
    for (const f of FIELDS) {
      const c = control(f);
      if (c && v[f] !== undefined) c.value = v[f]!;
    }
    if (!v.scope && data.scopes.length === 1) control('scope')!.value = data.scopes[0].value;
    editing.textContent = edit ? t.editing(edit.topic, edit.version) : '';
    previewed = undefined;
    publishButton.disabled = true;
    previewHost.replaceChildren();
    status.textContent = '';
    showProblems([]);
    control(v.scope || data.scopes.length === 1 ? (v.triggers ? 'intent' : 'scope') : 'scope')?.focus();
  };
  form.addEventListener('input', () => {
    if (previewed !== undefined && previewed !== JSON.stringify(values())) {
      publishButton.disabled = true;
      status.textContent = t.previewStale;
    }
  });
  newButton.addEventListener('click', () => start({}));
  previewButton.addEventListener('click', async () => {
    const input = values();
    try {
      const r = await host.api<{ ok: boolean; card?: Record<string, unknown>; problems?: KnowledgeProblemWire[]; message?: KnowledgeLocalized }>('POST', '/api/tab/knowledge/preview', input);
      if (!r.ok || !r.card) {
        showProblems(r.problems ?? []);
        return;
      }
      showProblems([]);
      host.renderCard(r.card, previewHost, host.openUrl);
      previewed = JSON.stringify(input);
      publishButton.disabled = false;
      status.textContent = t.previewHint;
    } catch (err) {
      status.textContent = forbiddenText(err, lang) ?? t.failed;
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = values();
    if (previewed !== JSON.stringify(input)) {
      status.textContent = t.previewStale;
      return;
    }
    publishButton.disabled = true;
    status.textContent = t.publishing;
    try {
      const r = await host.api<{ ok: boolean; problems?: KnowledgeProblemWire[]; message?: KnowledgeLocalized }>('POST', '/api/tab/knowledge/publish', input);
      if (!r.ok) {
        showProblems(r.problems ?? []);
        publishButton.disabled = false;
        status.textContent = '';
        return;
      }
      await reload(r.message?.[lang] ?? '');
    } catch (err) {
      publishButton.disabled = false;
      status.textContent = forbiddenText(err, lang) ?? t.failed;
    }
  });
  if (data.scopes.length === 1) (form.elements.namedItem('scope') as HTMLSelectElement).value = data.scopes[0].value;
  const element = h(
    'section',
    { 'aria-labelledby': 'kb-form-heading', class: 'knowledge-form' },
    h('h3', { id: 'kb-form-heading' }, t.formHeading),
    form,
    h('section', { 'aria-labelledby': 'kb-preview-heading', class: 'preview' }, h('h4', { id: 'kb-preview-heading' }, t.previewHeading), status, previewHost),
  );
  return { element, start };
}

/** The server's sentence for a refusal (403), when the error carries one. */
function forbiddenText(err: unknown, lang: 'de' | 'en'): string | undefined {
  const body = (err as { body?: { message?: KnowledgeLocalized } } | undefined)?.body;
  return body?.message?.[lang];
}

function figuresSection(host: KnowledgeHost, t: KnowledgeTabTexts): HTMLElement {
  const { h, lang } = host;
  const body = h('div', {}, h('p', { class: 'loading' }, t.loading));
  const cell = (c: CellWire) => ('lt' in c ? t.fewer : String(c.n));
  void (async () => {
    try {
      const data = await host.api<FiguresWire>('GET', '/api/tab/figures');
      const weeks = h(
        'ul',
        { class: 'items', id: 'figures-weeks' },
        ...data.weeks.map((w) => {
          const monday = dateOf(lang, `${w.monday}T12:00:00Z`);
          const empty = 'n' in w.asked && w.asked.n === 0;
          const share = 'percent' in w.answeredShare ? `${w.answeredShare.percent} %` : t.fewer;
          return h(
            'li',
            {},
            h('strong', {}, t.week(monday)),
            ': ',
            empty ? t.noQuestions : `${t.asked(cell(w.asked))}, ${t.answeredShare(share)}`,
            !empty && w.byIntent.length ? h('p', { class: 'hint' }, `${t.byIntent}: `, w.byIntent.map((b) => `${label(b.label, lang)} ${cell(b.asked)}`).join(' · ')) : null,
            !empty && w.byAuthority?.length ? h('p', { class: 'hint' }, `${t.byAuthority}: `, w.byAuthority.map((b) => `${label(b.label, lang)} ${cell(b.asked)}`).join(' · ')) : null,
          );
        }),
      );
      const top = data.topUnanswered.length
        ? h('ul', { class: 'items', id: 'figures-top' }, ...data.topUnanswered.map((u) => h('li', {}, `${label(u.label, lang)}: ${cell(u.unanswered)}`)))
        : h('p', {}, t.topNone);
      body.replaceChildren(weeks, h('h3', {}, t.topUnanswered), top);
    } catch {
      body.replaceChildren(h('p', { role: 'alert' }, t.failed));
    }
  })();
  return panel(host, 'figures', t.figuresHeading, h('p', { class: 'intro' }, t.figuresIntro), body);
}
