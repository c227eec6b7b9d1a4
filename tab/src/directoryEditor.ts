/**
 * The directory editor in the personal tab (issues 17 and 20): the IB edits their own authority's entry, directory
 * administrators any entry; both see its change history. The server (bot/tab/directoryRoutes.ts) decides who may
 * edit what and checks every field; this view only shows the answer, each problem at its field, and keeps what was
 * typed. Saving sends the revision the form was filled from (If-Match): a change made meanwhile is never overwritten.
 */
import type { DirectoryAnswerWire, DirectoryEntryWire, DirectoryFormWire, DirectoryListWire, PeopleWire } from '../../bot/tab/directoryWire';

type Lang = 'de' | 'en';
type Fetch = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

const TEXTS = {
  de: {
    heading: 'Verzeichniseintrag bearbeiten',
    introOwn: (name: string) => `Ihre Angaben im Verzeichnis der ${name}. Alle Beschäftigten sehen sie, wenn sie nach Ihnen fragen (RdErl. v. 5.12.2023, Nr. 3). Jede Änderung wird mit Person und Zeit protokolliert.`,
    introAdmin: 'Als Verzeichnis-Administration können Sie den Eintrag jeder Bezirksregierung ändern. Jede Änderung wird mit Person und Zeit protokolliert.',
    choose: 'Bezirksregierung',
    commissioner: 'Integrationsbeauftragte/r',
    lastVerified: 'Zuletzt bestätigt',
    officeHours: 'Sprechzeiten und Erreichbarkeit',
    officeHoursHint: 'Ohne private Angaben und ohne Daten Dritter.',
    phone: 'Telefon',
    absences: 'Abwesenheiten',
    absenceFrom: 'Von',
    absenceTo: 'Bis',
    absenceNote: 'Hinweis (optional, ohne private Gründe)',
    absenceRemove: 'Abwesenheit entfernen',
    absenceAdd: 'Abwesenheit hinzufügen',
    absenceNone: 'Keine Abwesenheiten eingetragen.',
    absenceN: (n: number) => `Abwesenheit ${n}`,
    deputy: 'Vertretung',
    deputyNone: 'Keine Vertretung eingetragen.',
    deputyAdd: 'Vertretung eintragen',
    deputyRemove: 'Vertretung entfernen',
    search: 'Person suchen (Name oder E-Mail)',
    searchHint: 'Mindestens 2 Zeichen; die Suche läuft im Verzeichnis Ihrer Organisation. Die gewählte Person kann sofort vertreten.',
    searchButton: 'Suchen',
    searchNone: 'Niemand gefunden.',
    searchOff: 'Die Personensuche ist hier nicht eingerichtet; bitte Name und E-Mail eintragen.',
    picked: (name: string) => `Gewählt: ${name}. Speichern nicht vergessen.`,
    linked: 'Mit Teams-Konto verknüpft: kann sofort vertreten.',
    notLinked: 'Nicht mit einem Teams-Konto verknüpft: bitte über die Suche auswählen, damit die Vertretung Anliegen bearbeiten kann.',
    name: 'Name',
    title: 'Funktion',
    email: 'E-Mail',
    save: 'Speichern',
    saving: 'Wird gespeichert …',
    problemsIntro: 'Bitte prüfen Sie die markierten Angaben; gespeichert wurde nichts.',
    failed: 'Das hat nicht geklappt. Bitte versuchen Sie es gleich noch einmal; Ihre Eingaben bleiben stehen.',
    history: 'Änderungsverlauf',
    historyNone: 'Noch keine Änderungen.',
    by: 'von',
    empty: '–',
  },
  en: {
    heading: 'Edit directory entry',
    introOwn: (name: string) => `Your details in the directory of the ${name}. All staff see them when they ask for you (decree of 5.12.2023, Nr. 3). Every change is recorded with person and time.`,
    introAdmin: "As a directory administrator you can change every Bezirksregierung's entry. Every change is recorded with person and time.",
    choose: 'Bezirksregierung',
    commissioner: 'Integration commissioner',
    lastVerified: 'Last confirmed',
    officeHours: 'Office hours and reachability',
    officeHoursHint: "No private details and no third parties' data.",
    phone: 'Phone',
    absences: 'Absences',
    absenceFrom: 'From',
    absenceTo: 'Until',
    absenceNote: 'Note (optional, no private reasons)',
    absenceRemove: 'Remove absence',
    absenceAdd: 'Add an absence',
    absenceNone: 'No absences entered.',
    absenceN: (n: number) => `Absence ${n}`,
    deputy: 'Deputy',
    deputyNone: 'No deputy entered.',
    deputyAdd: 'Enter a deputy',
    deputyRemove: 'Remove deputy',
    search: 'Find a person (name or e-mail)',
    searchHint: "At least 2 characters; searches your organisation's directory. The person chosen can stand in at once.",
    searchButton: 'Search',
    searchNone: 'Nobody found.',
    searchOff: 'People search is not set up here; please enter name and e-mail.',
    picked: (name: string) => `Chosen: ${name}. Remember to save.`,
    linked: 'Linked to a Teams account: can stand in at once.',
    notLinked: 'Not linked to a Teams account: please choose the person through the search so that they can work on requests.',
    name: 'Name',
    title: 'Function',
    email: 'E-mail',
    save: 'Save',
    saving: 'Saving …',
    problemsIntro: 'Please check the marked fields; nothing was saved.',
    failed: 'That did not work. Please try again in a moment; what you entered stays.',
    history: 'History of changes',
    historyNone: 'No changes yet.',
    by: 'by',
    empty: '–',
  },
};

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** `absences.1.to` → the control's id. */
const idOf = (field: string) => `dir-${field.replace(/\./g, '-')}`;

/**
 * The editor's section; it loads what the viewer may edit and stays hidden for everyone else (most people).
 * `call` is the tab's authorised fetch (SSO token, language).
 */
export function directoryEditorSection(call: Fetch, lang: Lang): HTMLElement {
  const t = TEXTS[lang];
  const day = (iso: string) => {
    const d = new Date(`${iso}T12:00:00Z`);
    return Number.isNaN(d.getTime()) ? iso || t.empty : new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(d);
  };
  const when = (iso: string) =>
    h('time', { datetime: iso }, new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Berlin' }).format(new Date(iso)));

  const body = h('div', { id: 'dir-body' });
  const node = h('section', { id: 'directory-editor', 'aria-labelledby': 'directory-editor-heading', class: 'panel', hidden: true }, h('h2', { id: 'directory-editor-heading' }, t.heading), body);

  let entry: DirectoryEntryWire | undefined;
  let form: DirectoryFormWire;
  const status = h('p', { class: 'status', role: 'status', id: 'dir-status' });
  const problems = h('div', { class: 'problems', id: 'dir-problems', role: 'alert' });
  const formHost = h('div', { id: 'dir-fields' });
  const historyHost = h('div', { id: 'dir-history' });

  const field = (name: string, label: string, control: HTMLElement, hint?: string) =>
    h('div', { class: 'field' }, h('label', { for: idOf(name) }, label), hint ? h('p', { class: 'hint', id: `${idOf(name)}-hint` }, hint) : null, control, h('p', { class: 'error', id: `${idOf(name)}-error` }));
  /** A long value (a function, an address) wraps in a text area instead of scrolling out of sight at 360 px. */
  const wrapping = (name: string, value: string, max: number, email = false) => {
    const el = h('textarea', { id: idOf(name), name, rows: '2', maxlength: String(max), 'aria-describedby': `${idOf(name)}-error`, ...(email ? { inputmode: 'email', autocomplete: 'email', spellcheck: 'false' } : {}) });
    el.value = value;
    return el;
  };
  const input = (name: string, value: string, type = 'text', max = 200) => {
    const el = h('input', { id: idOf(name), name, type, value, maxlength: type === 'date' ? undefined : String(max), 'aria-describedby': `${idOf(name)}-error` });
    el.value = value;
    return el;
  };

  /** Reads every control back into `form`, so a redraw keeps what was typed. */
  const read = () => {
    const v = (name: string) => (document.getElementById(idOf(name)) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? '';
    form.officeHours = v('officeHours');
    form.phone = v('phone');
    form.absences = form.absences.map((_, i) => ({ from: v(`absences.${i}.from`), to: v(`absences.${i}.to`), note: v(`absences.${i}.note`) }));
    if (form.deputy) form.deputy = { ...form.deputy, name: v('deputy.name'), title: v('deputy.title'), email: v('deputy.email'), phone: v('deputy.phone') };
  };

  const picker = (): HTMLElement => {
    const results = h('ul', { class: 'items', id: 'dir-people' });
    const note = h('p', { class: 'hint', role: 'status', id: 'dir-people-status' });
    const query = h('input', { id: 'dir-people-q', type: 'search', maxlength: '60', 'aria-describedby': 'dir-people-hint' });
    const search = h('button', { type: 'button', class: 'secondary', id: 'dir-people-search' }, t.searchButton);
    const run = async () => {
      const q = query.value.trim();
      if (q.length < 2) {
        note.textContent = t.searchHint;
        return;
      }
      try {
        const res = await call('GET', `/api/tab/people?q=${encodeURIComponent(q)}`);
        const found = (await res.json()) as PeopleWire;
        if (!res.ok) throw new Error(String(res.status));
        if (!found.available) note.textContent = t.searchOff;
        else note.textContent = found.people.length ? '' : t.searchNone;
        results.replaceChildren(
          ...found.people.map((p) => {
            const choose = h('button', { type: 'button', class: 'link' }, `${p.name} (${p.email})`);
            choose.addEventListener('click', () => {
              read();
              form.deputy = { name: p.name, title: form.deputy?.title ?? '', email: p.email, phone: form.deputy?.phone ?? '', aadObjectId: p.aadObjectId };
              draw();
              status.textContent = t.picked(p.name);
              document.getElementById(idOf('deputy.name'))?.focus();
            });
            return h('li', {}, choose);
          }),
        );
      } catch {
        note.textContent = t.failed;
      }
    };
    search.addEventListener('click', () => void run());
    query.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void run();
      }
    });
    return h(
      'div',
      { class: 'field' },
      h('label', { for: 'dir-people-q' }, t.search),
      h('p', { class: 'hint', id: 'dir-people-hint' }, t.searchHint),
      h('div', { class: 'inline-form' }, query, search),
      note,
      results,
    );
  };

  const draw = () => {
    const absences = form.absences.map((a, i) =>
      h(
        'fieldset',
        { class: 'absence' },
        h('legend', {}, t.absenceN(i + 1)),
        h('div', { class: 'row' }, field(`absences.${i}.from`, t.absenceFrom, input(`absences.${i}.from`, a.from, 'date')), field(`absences.${i}.to`, t.absenceTo, input(`absences.${i}.to`, a.to, 'date'))),
        field(`absences.${i}.note`, t.absenceNote, input(`absences.${i}.note`, a.note, 'text', 100)),
        (() => {
          const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `${t.absenceRemove}: ${t.absenceN(i + 1)}` }, t.absenceRemove);
          remove.addEventListener('click', () => {
            read();
            form.absences.splice(i, 1);
            draw();
            document.getElementById('dir-absence-add')?.focus();
          });
          return remove;
        })(),
      ),
    );
    const addAbsence = h('button', { type: 'button', class: 'secondary', id: 'dir-absence-add' }, t.absenceAdd);
    addAbsence.addEventListener('click', () => {
      read();
      form.absences.push({ from: '', to: '', note: '' });
      draw();
      document.getElementById(idOf(`absences.${form.absences.length - 1}.from`))?.focus();
    });
    const d = form.deputy;
    const deputyToggle = h('button', { type: 'button', class: 'secondary', id: 'dir-deputy-toggle' }, d ? t.deputyRemove : t.deputyAdd);
    deputyToggle.addEventListener('click', () => {
      read();
      form.deputy = form.deputy ? null : { name: '', title: '', email: '', phone: '', aadObjectId: '' };
      draw();
      document.getElementById('dir-deputy-toggle')?.focus();
    });
    const ib = entry?.commissioner;
    formHost.replaceChildren(
      ib ? h('dl', { class: 'facts' }, h('dt', {}, t.commissioner), h('dd', {}, `${ib.name}, ${ib.title}`), h('dt', {}, t.lastVerified), h('dd', {}, day(entry!.lastVerified))) : '',
      field('officeHours', t.officeHours, (() => {
        const area = h('textarea', { id: idOf('officeHours'), name: 'officeHours', rows: '3', maxlength: '300', 'aria-describedby': `${idOf('officeHours')}-hint ${idOf('officeHours')}-error` });
        area.value = form.officeHours;
        return area;
      })(), t.officeHoursHint),
      field('phone', t.phone, input('phone', form.phone, 'tel', 40)),
      h('fieldset', { class: 'group', id: 'dir-absences' }, h('legend', {}, t.absences), h('p', { class: 'error', id: `${idOf('absences')}-error` }), ...(absences.length ? absences : [h('p', {}, t.absenceNone)]), h('div', { class: 'buttons' }, addAbsence)),
      h(
        'fieldset',
        { class: 'group', id: 'dir-deputy' },
        h('legend', {}, t.deputy),
        ...(d
          ? [
              picker(),
              field('deputy.name', t.name, input('deputy.name', d.name, 'text', 120)),
              h('p', { class: 'hint', id: 'dir-deputy-linked' }, d.aadObjectId ? t.linked : t.notLinked),
              field('deputy.title', t.title, wrapping('deputy.title', d.title, 120)),
              field('deputy.email', t.email, wrapping('deputy.email', d.email, 200, true)),
              field('deputy.phone', t.phone, input('deputy.phone', d.phone, 'tel', 40)),
            ]
          : [h('p', {}, t.deputyNone)]),
        h('div', { class: 'buttons' }, deputyToggle),
      ),
    );
  };

  const drawHistory = () => {
    const lines = entry?.history ?? [];
    historyHost.replaceChildren(
      h('h3', { id: 'dir-history-heading' }, t.history),
      lines.length
        ? h(
            'ul',
            { class: 'items', 'aria-labelledby': 'dir-history-heading' },
            ...lines.map((l) =>
              h(
                'li',
                {},
                h('p', { class: 'meta' }, when(l.at), ` · ${l.what} · ${t.by} ${l.who}`),
                l.changes.length ? h('ul', { class: 'changes' }, ...l.changes.map((c) => h('li', {}, h('strong', {}, `${c.field}: `), `${c.from} → ${c.to}`))) : null,
              ),
            ),
          )
        : h('p', {}, t.historyNone),
    );
  };

  const showProblems = (list: Array<{ field: string; message: string }>) => {
    for (const el of Array.from(formHost.querySelectorAll('[aria-invalid]'))) el.removeAttribute('aria-invalid');
    for (const el of Array.from(formHost.querySelectorAll('.error'))) el.textContent = '';
    const general: string[] = [];
    for (const p of list) {
      const err = p.field ? document.getElementById(`${idOf(p.field)}-error`) : null;
      if (!err) {
        general.push(p.message);
        continue;
      }
      err.textContent = err.textContent ? `${err.textContent} ${p.message}` : p.message;
      document.getElementById(idOf(p.field))?.setAttribute('aria-invalid', 'true');
    }
    problems.replaceChildren(...(list.length ? [h('p', {}, t.problemsIntro), ...general.map((g) => h('p', {}, g))] : []));
    const first = list.find((p) => p.field && document.getElementById(idOf(p.field)));
    if (first) document.getElementById(idOf(first.field))?.focus();
  };

  const show = (next: DirectoryEntryWire) => {
    entry = next;
    form = structuredClone(next.form);
    draw();
    drawHistory();
  };

  const load = async (authority: string) => {
    const res = await call('GET', `/api/tab/directory/${encodeURIComponent(authority)}`);
    const answer = (await res.json()) as DirectoryAnswerWire;
    if (!res.ok || !answer.entry) throw new Error(String(res.status));
    show(answer.entry);
  };

  const save = h('button', { type: 'submit', class: 'primary', id: 'dir-save' }, t.save);
  const editor = h('form', { id: 'dir-form', novalidate: true }, formHost, problems, h('div', { class: 'buttons' }, save), status);
  editor.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!entry) return;
    read();
    save.disabled = true;
    status.textContent = t.saving;
    void (async () => {
      try {
        const res = await call('PUT', `/api/tab/directory/${encodeURIComponent(entry!.authority)}`, form, { 'if-match': entry!.revision });
        const answer = (await res.json()) as DirectoryAnswerWire;
        if (res.status === 400 && answer.problems) {
          status.textContent = '';
          showProblems(answer.problems);
        } else if (res.status === 409 && answer.entry) {
          // Someone else saved first: their state is shown, nothing of theirs is overwritten.
          show(answer.entry);
          showProblems([]);
          status.textContent = answer.message ?? '';
        } else if (res.ok && answer.entry) {
          show(answer.entry);
          showProblems([]);
          status.textContent = answer.message ?? '';
        } else {
          status.textContent = answer.message ?? t.failed;
        }
      } catch {
        status.textContent = t.failed;
      } finally {
        save.disabled = false;
      }
    })();
  });

  void (async () => {
    try {
      const res = await call('GET', '/api/tab/directory');
      const list = res.ok ? ((await res.json()) as DirectoryListWire) : undefined;
      // Nothing to edit (most people): the section stays hidden, and says it is settled.
      if (!list?.entries.length) {
        node.dataset.ready = 'none';
        return;
      }
      const first = list.entries[0];
      const intro = h('p', { class: 'intro', id: 'dir-intro' }, list.admin ? t.introAdmin : t.introOwn(first.name));
      let chooser: HTMLElement | null = null;
      if (list.entries.length > 1) {
        const select = h('select', { id: 'dir-authority' }, ...list.entries.map((e) => h('option', { value: e.authority }, e.name)));
        select.addEventListener('change', () => {
          status.textContent = '';
          showProblems([]);
          load(select.value).catch(() => (status.textContent = t.failed));
        });
        chooser = h('div', { class: 'field' }, h('label', { for: 'dir-authority' }, t.choose), select);
      }
      await load(first.authority);
      body.replaceChildren(intro, chooser ?? '', editor, historyHost);
      node.hidden = false;
      node.dataset.ready = 'true';
    } catch {
      body.replaceChildren(h('p', { role: 'alert' }, t.failed));
      node.hidden = false;
    }
  })();
  return node;
}
