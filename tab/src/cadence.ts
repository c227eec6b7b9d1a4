/**
 * The KfI's cadence of the Koordinierungskreis in the personal tab (issue 17): the draft the cadence prepared, marked
 * „Vorbereitet nach Rhythmus — bitte prüfen und senden“ and shown as the card the KfI gets, with the button that
 * sends it; the next dates; and the form that sets, changes or switches off the rule. Every word comes from the
 * server (`CadenceWire`, both languages); the server checks every request (403 for anyone but the KfI).
 */
import type { CadenceFieldWire, CadenceLocalized, CadenceRefusalWire, CadenceWire } from '../../bot/tab/cadenceWire';

type Child = Node | string | null | undefined | false;

/** What the tab's main module lends this section. */
export interface CadenceDeps {
  lang: 'de' | 'en';
  h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | boolean | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
  /** A request with the SSO token; the status and the parsed body. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  renderCard(card: Record<string, unknown>, host: HTMLElement, openUrl: (url: string) => void): void;
  openUrl(url: string): void;
  /** "Das hat nicht geklappt …" in the viewer's language (main's text). */
  failed: string;
  /** "(Pflichtfeld)" in the viewer's language (main's text). */
  required: string;
  /** The section's heading until the server's arrives (main's text). */
  heading: string;
}

const isWire = (body: unknown): body is CadenceWire => !!body && typeof body === 'object' && 'fields' in body;

/** The section `#cadence`; it loads its data itself (the rest of the tab does not wait for it). */
export function cadenceSection(d: CadenceDeps): HTMLElement {
  const { h, lang } = d;
  const say = (text: CadenceLocalized) => text[lang];
  const heading = h('h2', { id: 'cadence-heading' }, d.heading);
  const status = h('p', { class: 'status', role: 'status', id: 'cadence-status' });
  const body = h('div', { id: 'cadence-body', 'aria-busy': 'true' });
  const root = h('section', { id: 'cadence', 'aria-labelledby': 'cadence-heading', class: 'panel' }, heading, status, body);

  const fieldId = (name: string) => `cadence-f-${name}`;

  function control(f: CadenceFieldWire): HTMLElement {
    const id = fieldId(f.name);
    const described = [f.hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (f.type === 'text') {
      // A one-line text (title, place) wraps in a two-line area, so that a long value stays readable at 360 px instead
      // of scrolling inside the box; a line break typed in it is sent as a space.
      input = h('textarea', { id, name: f.name, rows: '2', required: !!f.required, 'aria-describedby': described, ...(f.maxLength ? { maxlength: String(f.maxLength) } : {}) });
    } else if (f.type === 'select') {
      input = h('select', { id, name: f.name, required: !!f.required, 'aria-describedby': described }, ...(f.options ?? []).map((o) => h('option', { value: o.value }, say(o.label))));
    } else {
      input = h('input', {
        id,
        name: f.name,
        type: f.type,
        required: !!f.required,
        'aria-describedby': described,
        ...(f.min !== undefined ? { min: String(f.min) } : {}),
        ...(f.max !== undefined ? { max: String(f.max) } : {}),
        ...(f.maxLength ? { maxlength: String(f.maxLength) } : {}),
        ...(f.type === 'number' ? { inputmode: 'numeric' } : {}),
      });
    }
    input.value = f.value;
    return h(
      'div',
      { class: 'field', 'data-field': f.name },
      h('label', { for: id }, say(f.label), f.required ? h('span', { class: 'required' }, ` (${d.required})`) : null),
      f.hint ? h('p', { class: 'hint', id: `${id}-hint` }, say(f.hint)) : null,
      input,
      h('p', { class: 'error', id: `${id}-error` }),
    );
  }

  function draftBlock(w: CadenceWire): HTMLElement | null {
    const draft = w.draft;
    if (!draft) return null;
    const host = h('div', { class: 'card-host', id: 'cadence-draft-card' });
    const open = draft.status === 'prepared';
    const confirm = open ? h('button', { type: 'button', class: 'primary', id: 'cadence-confirm' }, say(draft.confirmLabel)) : null;
    const discard = open ? h('button', { type: 'button', class: 'secondary', id: 'cadence-discard' }, say(draft.discardLabel)) : null;
    // Send it or discard it: one request, the answer replaces the section (409: already done by someone else).
    const act = (button: HTMLElement, path: string) =>
      button.addEventListener('click', async () => {
        confirm?.setAttribute('disabled', '');
        discard?.setAttribute('disabled', '');
        status.textContent = '';
        const release = () => {
          confirm?.removeAttribute('disabled');
          discard?.removeAttribute('disabled');
        };
        try {
          const res = await d.request('POST', path, { ruleDate: draft.ruleDate });
          if (isWire(res.body)) {
            show(res.body);
            status.textContent = res.body.message ? say(res.body.message) : '';
          } else {
            status.textContent = say((res.body as CadenceRefusalWire).message);
            release();
          }
        } catch {
          status.textContent = d.failed;
          release();
        }
      });
    if (confirm) act(confirm, '/api/tab/cadence/confirm');
    if (discard) act(discard, '/api/tab/cadence/discard');
    const block = h(
      'section',
      { class: 'draft', id: 'cadence-draft', 'aria-labelledby': 'cadence-draft-heading' },
      h('h3', { id: 'cadence-draft-heading' }, say(draft.marker)),
      draft.statusText ? h('p', { class: 'badge' }, say(draft.statusText)) : null,
      host,
      confirm ? h('div', { class: 'buttons' }, confirm, discard) : null,
    );
    d.renderCard(draft.card[lang], host, d.openUrl);
    return block;
  }

  function form(w: CadenceWire): HTMLElement {
    const problems = h('div', { class: 'problems', id: 'cadence-problems', role: 'alert' });
    const save = h('button', { type: 'submit', class: 'primary', id: 'cadence-save' }, say(w.saveLabel));
    const el = h('form', { id: 'cadence-form', novalidate: true }, ...w.fields.map(control), problems, h('div', { class: 'buttons' }, save));
    // Fields that apply only to monthly rules or to date polls are hidden otherwise (and not read by screen readers).
    const toggle = () => {
      for (const f of w.fields) {
        if (!f.showWhen) continue;
        const other = el.elements.namedItem(f.showWhen.field) as HTMLSelectElement | null;
        const box = el.querySelector(`[data-field="${f.name}"]`) as HTMLElement;
        box.hidden = other?.value !== f.showWhen.value;
        // `.field` is a flex box: its display would win over the `hidden` attribute.
        box.style.display = box.hidden ? 'none' : '';
      }
    };
    el.addEventListener('change', toggle);
    toggle();
    const showProblems = (list: CadenceRefusalWire['problems']) => {
      for (const f of w.fields) {
        const mine = list.filter((p) => p.field === f.name);
        document.getElementById(fieldId(f.name))?.toggleAttribute('aria-invalid', mine.length > 0);
        const err = document.getElementById(`${fieldId(f.name)}-error`);
        if (err) err.textContent = mine.map((p) => say(p.message)).join(' ');
      }
      const general = list.filter((p) => !p.field || !w.fields.some((f) => f.name === p.field));
      problems.replaceChildren(...general.map((p) => h('p', {}, say(p.message))));
      const first = list.find((p) => p.field && w.fields.some((f) => f.name === p.field));
      if (first) document.getElementById(fieldId(first.field!))?.focus();
    };
    el.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input: Record<string, string> = {};
      for (const f of w.fields) input[f.name] = ((el.elements.namedItem(f.name) as HTMLInputElement | null)?.value ?? '').replace(/\s*[\r\n]+\s*/g, ' ');
      save.setAttribute('disabled', '');
      status.textContent = '';
      try {
        const res = await d.request('PUT', '/api/tab/cadence', input);
        if (isWire(res.body)) {
          show(res.body);
          status.textContent = res.body.message ? say(res.body.message) : '';
          return;
        }
        const refusal = res.body as CadenceRefusalWire;
        showProblems(refusal.problems);
        status.textContent = say(refusal.message);
      } catch {
        status.textContent = d.failed;
      }
      save.removeAttribute('disabled');
    });
    return el;
  }

  function show(w: CadenceWire): void {
    heading.textContent = say(w.heading);
    const upcoming = w.upcoming.length
      ? h(
          'section',
          { 'aria-labelledby': 'cadence-upcoming-heading' },
          h('h3', { id: 'cadence-upcoming-heading' }, say(w.upcomingHeading)),
          h('ul', { class: 'items', id: 'cadence-upcoming' }, ...w.upcoming.map((o) => h('li', { 'data-date': o.ruleDate }, h('strong', {}, say(o.label)), ' ', h('span', { class: 'meta' }, say(o.prepareOn))))),
        )
      : null;
    body.replaceChildren(...[h('p', { class: 'intro', id: 'cadence-summary' }, say(w.summary)), draftBlock(w), upcoming, form(w)].filter((n): n is HTMLElement => !!n));
    body.removeAttribute('aria-busy');
  }

  void (async () => {
    try {
      const res = await d.request('GET', '/api/tab/cadence');
      if (isWire(res.body)) show(res.body);
      else {
        body.removeAttribute('aria-busy');
        status.textContent = say((res.body as CadenceRefusalWire).message);
      }
    } catch {
      body.removeAttribute('aria-busy');
      status.textContent = d.failed;
    }
  })();
  return root;
}
