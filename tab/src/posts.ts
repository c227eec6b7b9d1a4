/**
 * Information posts in the personal tab (issue 17): what the viewer sent, with delivery and acknowledgement counts,
 * the names of those who have not acknowledged (the server gives them to the sender only) and the reminder buttons;
 * what the viewer received, with „Zur Kenntnis genommen“. Every word comes from the server (`PostsWire`, in the
 * viewer's language); the server checks every request. Posts are written in the composer (its kind `post`).
 */
import type { PostsProblemWire, PostsWire, ReceivedPostWire, SentPostWire } from '../../bot/tab/postsWire';

type Child = Node | string | null | undefined | false;

/** What the tab's main module lends this section. */
export interface PostsDeps {
  lang: 'de' | 'en';
  h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | boolean | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** "Das hat nicht geklappt …" in the viewer's language (main's text). */
  failed: string;
}

const isWire = (body: unknown): body is PostsWire => !!body && typeof body === 'object' && 'sent' in body && 'received' in body;
const messageOf = (body: unknown, fallback: string): string => {
  const message = body && typeof body === 'object' ? (body as PostsProblemWire).message : undefined;
  return typeof message === 'string' && message ? message : fallback;
};

/** The section `#posts`: hidden until the viewer has sent or received a post; it loads its data itself. */
export function postsSection(d: PostsDeps): HTMLElement {
  const { h, lang } = d;
  const status = h('p', { class: 'status', role: 'status', id: 'posts-status' });
  const body = h('div', { id: 'posts-body', 'aria-busy': 'true' });
  const heading = h('h2', { id: 'posts-heading' }, lang === 'de' ? 'Informationen' : 'Information posts');
  const root = h('section', { id: 'posts', 'aria-labelledby': 'posts-heading', class: 'panel', hidden: true }, heading, status, body);
  const when = (iso: string) => new Date(iso).toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'Europe/Berlin', day: 'numeric', month: 'short', year: 'numeric' });

  function sentItem(p: SentPostWire, labels: PostsWire['labels']): HTMLElement {
    const remind = async (weekly: boolean) => {
      const res = await d.request('POST', `/api/tab/posts/${encodeURIComponent(p.id)}/remind`, weekly ? { weekly: true } : {});
      if (res.status === 200) {
        status.textContent = weekly ? labels.remindWeekly : labels.remind;
        void load();
      } else status.textContent = messageOf(res.body, d.failed);
    };
    return h(
      'li',
      { class: 'post' },
      h('h4', {}, p.title),
      h('p', { class: 'meta' }, `${p.audience} · ${when(p.sentAt)}`),
      h('p', {}, p.reach),
      h('p', { class: 'strong' }, p.acknowledged),
      p.notAcknowledged.length ? h('p', {}, `${labels.notYet}: ${p.notAcknowledged.join(', ')}`) : null,
      p.reminders ? h('p', { class: 'meta' }, p.reminders) : null,
      p.canRemind || p.canRemindWeekly
        ? h(
            'p',
            { class: 'actions' },
            p.canRemind ? button(labels.remind, () => remind(false)) : null,
            p.canRemindWeekly ? button(labels.remindWeekly, () => remind(true)) : null,
          )
        : null,
    );
  }

  function receivedItem(p: ReceivedPostWire, labels: PostsWire['labels']): HTMLElement {
    const ack = async () => {
      const res = await d.request('POST', `/api/tab/posts/${encodeURIComponent(p.id)}/ack`, {});
      status.textContent = res.status === 200 ? labels.acknowledged : messageOf(res.body, d.failed);
      if (res.status === 200) void load();
    };
    return h(
      'li',
      { class: 'post' },
      h('p', { class: 'meta' }, p.heading),
      h('h4', {}, p.title),
      h('p', { class: 'meta' }, `${p.from} · ${when(p.sentAt)}`),
      p.ackRequested ? (p.acknowledgedAt ? h('p', { class: 'strong' }, `${labels.acknowledged} (${when(p.acknowledgedAt)})`) : h('p', { class: 'actions' }, button(labels.acknowledge, ack))) : null,
    );
  }

  function button(label: string, run: () => Promise<void>): HTMLButtonElement {
    const b = h('button', { type: 'button' }, label);
    b.addEventListener('click', () => {
      b.disabled = true;
      void run().finally(() => (b.disabled = false));
    });
    return b;
  }

  async function load(): Promise<void> {
    const res = await d.request('GET', '/api/tab/posts').catch(() => ({ status: 0, body: undefined }));
    body.setAttribute('aria-busy', 'false');
    if (res.status !== 200 || !isWire(res.body)) return;
    const w = res.body;
    root.hidden = !w.sent.length && !w.received.length;
    body.replaceChildren(
      ...(w.sent.length ? [h('h3', {}, w.labels.sentHeading), h('ul', { class: 'posts' }, ...w.sent.map((p) => sentItem(p, w.labels)))] : []),
      ...(w.received.length ? [h('h3', {}, w.labels.receivedHeading), h('ul', { class: 'posts' }, ...w.received.map((p) => receivedItem(p, w.labels)))] : []),
    );
  }
  void load();
  return root;
}
