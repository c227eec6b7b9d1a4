/**
 * "Anliegen senden" in the tab: the chat's two-step Anliegen form as a form of the page. First the kind (radio
 * buttons, "Weiter"), then what that kind needs: the recipient (preset from the home authority), subject, description,
 * an optional Frist, and only for "Beteiligung" the Dezernat, the measure and its planned date. It posts to
 * `POST /api/tab/requests` (bot/tab/requestFormRoutes.ts), where the chat's validation and the privacy guard decide;
 * a refused form keeps what was typed and names each problem under its field, the first such field focused. A sent
 * Anliegen opens as its card (the card the requester sees in the chat), with the confirmation.
 */
import type { Localized } from '../../bot/tab/wire';
import type { RequestFormProblem, RequestFormWire } from '../../bot/tab/requestFormWire';
import type { Lang } from './texts';

type Child = Node | string | null | undefined | false;
type H = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | boolean | undefined>, ...children: Child[]) => HTMLElementTagNameMap[K];

export interface RequestFormDeps {
  lang: Lang;
  h: H;
  request: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  /** The viewer's home authority: preselects the recipient (it grants nothing). */
  home?: string;
  /** Whether the button stands out (staff: sending an Anliegen is their main task). */
  primary: boolean;
  /** Opens the new item as its card, with the confirmation as the status line. */
  openItem: (ref: { authority: string; id: string; kind: string }, note: string) => Promise<void>;
  texts: { sendRequest: string; failed: string; required: string; sending: string };
}

/** The tab's own words around the form (the form's own come from the server, in the chat form's wording). */
export const REQUEST_FORM_TEXTS: Record<Lang, { changeKind: string }> = {
  de: { changeKind: 'Art ändern' },
  en: { changeKind: 'Change the kind' },
};

const TEXT_FIELDS = ['subject', 'description', 'deadline', 'department', 'measure', 'plannedDate'] as const;
const ALL_FIELDS = ['authority', 'category', ...TEXT_FIELDS] as const;
type Field = (typeof ALL_FIELDS)[number];

/** The "Anliegen senden" button and, below it, the form it opens and closes. */
export function requestFormArea(deps: RequestFormDeps): HTMLElement {
  const { h, lang } = deps;
  const own = REQUEST_FORM_TEXTS[lang];
  const L = (x: Localized) => x[lang];
  let wire: RequestFormWire | undefined;
  /** What was typed and chosen, kept across both steps and a refused send. */
  const values: Record<Field, string> = { authority: deps.home ?? '', category: '', subject: '', description: '', deadline: '', department: '', measure: '', plannedDate: '' };
  let step: 'kind' | 'form' = 'kind';
  let busy = false;

  const toggle = h('button', { type: 'button', class: deps.primary ? 'primary' : 'secondary', id: 'send-request', 'aria-expanded': 'false', 'aria-controls': 'request-form' }, deps.texts.sendRequest);
  const heading = h('h3', { id: 'request-form-heading', tabindex: '-1' });
  const problems = h('div', { class: 'problems', id: 'request-form-problems', role: 'alert' });
  const status = h('p', { class: 'status', id: 'request-form-status', role: 'status' });
  const body = h('div', { id: 'request-form-body' });
  const form = h('form', { id: 'request-form', 'aria-labelledby': 'request-form-heading', novalidate: true, hidden: true }, heading, problems, body, status);

  const id = (f: Field) => `rf-${f}`;
  const errorOf = (f: Field) => h('p', { class: 'error', id: `${id(f)}-error` });
  const described = (f: Field, hint = false) => [hint ? `${id(f)}-hint` : '', `${id(f)}-error`].filter(Boolean).join(' ');
  const label = (f: Field, text: string, required: boolean) => h('label', { for: id(f) }, text, required ? h('span', { class: 'required' }, ` (${deps.texts.required})`) : null);

  /** Reads what the form shows now into `values` (a field not shown keeps its value). */
  const read = () => {
    for (const f of ALL_FIELDS) {
      if (f === 'category') {
        const checked = form.querySelector<HTMLInputElement>('input[name="category"]:checked');
        if (checked) values.category = checked.value;
        continue;
      }
      const el = form.elements.namedItem(f) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null;
      if (el) values[f] = el.value;
    }
  };

  const showProblems = (list: RequestFormProblem[], summary: string) => {
    for (const f of ALL_FIELDS) {
      const mine = list.filter((p) => p.field === f);
      const err = form.querySelector<HTMLElement>(`#${id(f)}-error`);
      if (err) err.textContent = mine.map((p) => L(p.message)).join(' ');
      const control = f === 'category' ? form.querySelector<HTMLElement>('fieldset.kinds') : form.querySelector<HTMLElement>(`#${id(f)}`);
      if (mine.length) control?.setAttribute('aria-invalid', 'true');
      else control?.removeAttribute('aria-invalid');
    }
    // Problems without a field on this step (should there be any) are named on top, after the summary.
    const unplaced = list.filter((p) => !form.querySelector(`#${id(p.field as Field)}-error`));
    problems.replaceChildren(...(list.length ? [h('p', {}, summary), ...unplaced.map((p) => h('p', {}, L(p.message)))] : []));
    const first = list.find((p) => form.querySelector(`#${id(p.field as Field)}`) || p.field === 'category');
    if (first) (first.field === 'category' ? form.querySelector<HTMLElement>('input[name="category"]') : form.querySelector<HTMLElement>(`#${id(first.field as Field)}`))?.focus();
  };

  const kindStep = (w: RequestFormWire) => {
    step = 'kind';
    heading.textContent = L(w.heading);
    const radios = w.categories.map((c) =>
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'category', value: c.value, checked: values.category === c.value, 'aria-describedby': `${id('category')}-error` }), ' ', L(c.label)),
    );
    const next = h('button', { type: 'submit', class: 'primary', id: 'request-next' }, L(w.next));
    body.replaceChildren(
      h('p', { class: 'intro' }, L(w.kindIntro)),
      h('fieldset', { class: 'kinds', id: id('category') }, h('legend', {}, L(w.kindQuestion), h('span', { class: 'required' }, ` (${deps.texts.required})`)), ...radios, errorOf('category')),
      h('div', { class: 'buttons' }, next),
    );
  };

  const formStep = (w: RequestFormWire) => {
    step = 'form';
    const category = w.categories.find((c) => c.value === values.category);
    heading.textContent = `${L(w.heading)}: ${category ? L(category.label) : ''}`;
    const input = (f: 'subject' | 'department' | 'measure', max: number) => h('input', { type: 'text', id: id(f), name: f, value: values[f], maxlength: String(max), required: true, 'aria-describedby': described(f) });
    const date = (f: 'deadline' | 'plannedDate', required: boolean) => h('input', { type: 'date', id: id(f), name: f, value: values[f], required, 'aria-describedby': described(f) });
    const field = (f: Field, text: string, required: boolean, control: HTMLElement, hint?: string) =>
      h('div', { class: 'field' }, label(f, text, required), hint ? h('p', { class: 'hint', id: `${id(f)}-hint` }, hint) : null, control, errorOf(f));
    const recipient = h(
      'select',
      { id: id('authority'), name: 'authority', required: true, 'aria-describedby': described('authority') },
      h('option', { value: '' }, '–'),
      ...w.recipients.map((r) => h('option', { value: r.value, selected: values.authority === r.value }, L(r.label))),
    );
    const description = h('textarea', { id: id('description'), name: 'description', rows: '6', maxlength: String(w.limits.description), required: true, 'aria-describedby': described('description', true) });
    description.value = values.description;
    const measure =
      values.category === 'beteiligung'
        ? h(
            'fieldset',
            { class: 'group', id: 'rf-measure-group' },
            h('legend', {}, L(w.measureHeading)),
            h('p', { class: 'hint' }, L(w.measureHint)),
            field('department', L(w.labels.department), true, input('department', w.limits.department)),
            field('measure', L(w.labels.measure), true, input('measure', w.limits.measure)),
            field('plannedDate', L(w.labels.plannedDate), true, date('plannedDate', true)),
          )
        : null;
    const back = h('button', { type: 'button', class: 'secondary', id: 'request-change-kind' }, own.changeKind);
    back.addEventListener('click', () => {
      read();
      problems.replaceChildren();
      kindStep(w);
      form.querySelector<HTMLElement>('input[name="category"]:checked, input[name="category"]')?.focus();
    });
    body.replaceChildren(
      h('p', { class: 'intro' }, L(w.formIntro)),
      field('authority', L(w.labels.authority), true, recipient),
      field('subject', L(w.labels.subject), true, input('subject', w.limits.subject)),
      field('description', L(w.labels.description), true, description, L(w.privacy)),
      // The label says "(optional)" itself.
      field('deadline', L(w.labels.deadline), false, date('deadline', false)),
      ...(measure ? [measure] : []),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'request-submit' }, L(w.submit)), back),
    );
  };

  const send = async (w: RequestFormWire) => {
    read();
    const payload = Object.fromEntries(ALL_FIELDS.map((f) => [f, values[f]]));
    // Department, measure and date go only with a Beteiligung (the service ignores them otherwise; nothing is sent twice).
    if (values.category !== 'beteiligung') for (const f of ['department', 'measure', 'plannedDate']) delete payload[f];
    busy = true;
    status.textContent = deps.texts.sending;
    try {
      const res = await deps.request('POST', '/api/tab/requests', payload);
      const answer = res.body as { item?: { authority: string; id: string; kind: string }; message?: Localized; problems?: RequestFormProblem[] } | undefined;
      status.textContent = '';
      if (res.status === 201 && answer?.item) {
        await deps.openItem(answer.item, answer.message ? L(answer.message) : '');
        return;
      }
      if (res.status === 400 && answer?.problems) {
        // A problem with the kind (not one of the four) is asked for again on the first step.
        if (answer.problems.some((p) => p.field === 'category')) kindStep(w);
        showProblems(answer.problems, answer.message ? L(answer.message) : deps.texts.failed);
        return;
      }
      problems.replaceChildren(h('p', {}, deps.texts.failed));
    } catch {
      status.textContent = '';
      problems.replaceChildren(h('p', {}, deps.texts.failed));
    } finally {
      busy = false;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy || !wire) return;
    const w = wire;
    if (step === 'kind') {
      read();
      if (!w.categories.some((c) => c.value === values.category)) {
        showProblems([{ field: 'category', message: w.kindMissing }], L(w.checkFields));
        return;
      }
      problems.replaceChildren();
      formStep(w);
      form.querySelector<HTMLElement>(`#${id('authority')}`)?.focus();
      return;
    }
    void send(w);
  });
  // Escape inside the form closes it, as the button does; what was typed stays for the next opening.
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    read();
    close();
    toggle.focus();
  });

  const close = () => {
    form.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
  };
  const open = async () => {
    if (!wire) {
      try {
        const res = await deps.request('GET', '/api/tab/requests/form');
        wire = res.status === 200 ? (res.body as { form?: RequestFormWire } | undefined)?.form : undefined;
      } catch {
        wire = undefined;
      }
      if (!wire) {
        form.hidden = false;
        body.replaceChildren();
        problems.replaceChildren(h('p', {}, deps.texts.failed));
        return;
      }
      kindStep(wire);
    }
    form.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    heading.focus();
  };
  toggle.addEventListener('click', () => {
    if (toggle.getAttribute('aria-expanded') === 'true') {
      read();
      close();
    } else void open();
  });

  return h('div', { class: 'request-form-area' }, h('p', {}, toggle), form);
}
