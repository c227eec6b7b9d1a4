import {
  GRAPH_FEATURES,
  GraphError,
  type ChatMessageSeen,
  type GraphFeature,
  type GraphPort,
  type GraphUser,
  type InstallResult,
  type InstallState,
  type MailInput,
  type MeetingEvent,
  type MeetingEventInput,
} from '../../services/graph/graphPort';

/**
 * A tenant in memory behind the {@link GraphPort}, for unit tests of what uses the port (the real adapter is tested
 * against the Graph stand-in over HTTPS instead). It keeps the port's promises: identifiers compared lower case, an
 * unknown group or event is `notFound`, a create with a known `transactionId` returns the event made before, a method
 * whose feature is not granted rejects with kind `forbidden`, and every failure is a {@link GraphError}.
 *
 * Every call is recorded (also the failed ones) before anything else happens; then it waits while held
 * ({@link FakeGraph.hold}), then fails if a failure is scripted ({@link FakeGraph.failNext}, {@link FakeGraph.failEvery}),
 * then checks the feature, then does its work. `features()` is not recorded. Users and members come back as they were
 * put in (ids not lower-cased), so a test can check that the caller does not rely on the case.
 */
export class FakeGraph implements GraphPort {
  /** The granted features (all but `chats` unless the options say otherwise); change it to grant or revoke. */
  readonly granted: Set<GraphFeature>;
  /** Every call but `features()`, in order, failed ones included. */
  readonly calls: FakeGraphCall[] = [];
  /** People with this app installed, by object id (lower case). */
  readonly installed = new Set<string>();
  /** Meeting events by event id. */
  readonly events = new Map<string, FakeEvent>();
  /** Mail sent successfully. */
  readonly sentMail: Array<{ from: string; mail: MailInput }> = [];

  private readonly users = new Map<string, GraphUser>();
  private readonly chats = new Map<string, ChatMessageSeen[]>();
  private readonly groups = new Map<string, GraphUser[]>();
  private readonly once = new Map<CalledMethod, GraphError[]>();
  private readonly always = new Map<CalledMethod, GraphError>();
  private readonly holds = new Map<CalledMethod, Promise<void>>();
  private readonly now: () => number;
  private readonly onInstall: (userId: string) => void;

  constructor(options: FakeGraphOptions = {}) {
    // Reading chats back (`chats`) is granted only where a test asks for it: it changes what an uncertain resend does.
    this.granted = new Set(options.features ?? (Object.keys(GRAPH_FEATURES) as GraphFeature[]).filter((f) => f !== 'chats'));
    this.now = options.now ?? (() => Date.now());
    this.onInstall = options.onInstall ?? (() => undefined);
  }

  // --- set up the tenant ---

  /** A person Graph knows, found by UPN and by mail; `aliases` are further addresses of the same account. */
  addUser(user: GraphUser, ...aliases: string[]): this {
    for (const name of [user.userPrincipalName, user.mail, ...aliases]) if (name) this.users.set(key(name), { ...user });
    return this;
  }

  /** A group and its (transitive) members; set again to change the membership. */
  setGroup(groupId: string, members: readonly GraphUser[]): this {
    this.groups.set(key(groupId), [...members]);
    return this;
  }

  // --- script failures and timing ---

  /** The next calls of `method` reject with these errors, one call each, in order. */
  failNext(method: CalledMethod, ...errors: GraphError[]): this {
    this.once.set(method, [...(this.once.get(method) ?? []), ...errors]);
    return this;
  }

  /** Every call of `method` rejects with `error` (after the {@link failNext} ones) until called again with `undefined`. */
  failEvery(method: CalledMethod, error: GraphError | undefined): this {
    if (error) this.always.set(method, error);
    else this.always.delete(method);
    return this;
  }

  /** Calls of `method` (recorded already) wait until the returned function is called. */
  hold(method: CalledMethod): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(method, held);
    return () => {
      if (this.holds.get(method) === held) this.holds.delete(method);
      release();
    };
  }

  /** The recorded calls of one method. */
  callsTo<M extends CalledMethod>(method: M): Array<Extract<FakeGraphCall, { method: M }>> {
    return this.calls.filter((c): c is Extract<FakeGraphCall, { method: M }> => c.method === method);
  }

  // --- the port ---

  async features(): Promise<ReadonlySet<GraphFeature>> {
    return new Set(this.granted);
  }

  async installState(userId: string): Promise<InstallState> {
    await this.enter({ method: 'installState', userId }, 'install');
    return this.installed.has(key(userId)) ? 'installed' : 'notInstalled';
  }

  async installApp(userId: string): Promise<InstallResult> {
    await this.enter({ method: 'installApp', userId }, 'install');
    if (this.installed.has(key(userId))) return 'alreadyInstalled';
    this.installed.add(key(userId));
    this.onInstall(userId);
    return 'installed';
  }

  async resolveUsers(identifiers: readonly string[]): Promise<Map<string, GraphUser | null>> {
    await this.enter({ method: 'resolveUsers', identifiers: [...identifiers] }, 'people');
    return new Map(identifiers.map((i) => [key(i), this.users.get(key(i)) ?? null]));
  }

  async searchUsers(text: string, top = 10): Promise<GraphUser[]> {
    await this.enter({ method: 'searchUsers', text }, 'people');
    const t = text.toLowerCase();
    return [...new Map([...this.users.values()].map((u) => [u.id, u])).values()].filter((u) => [u.displayName, u.mail, u.userPrincipalName].some((v) => (v ?? '').toLowerCase().includes(t))).slice(0, top);
  }

  async groupMembers(groupId: string): Promise<GraphUser[]> {
    await this.enter({ method: 'groupMembers', groupId }, 'groups');
    const members = this.groups.get(key(groupId));
    if (!members) throw new GraphError('Request_ResourceNotFound', 'notFound', 404);
    return members.map((m) => ({ ...m }));
  }

  async upsertMeetingEvent(mailbox: string, input: MeetingEventInput, eventId?: string): Promise<MeetingEvent> {
    await this.enter({ method: 'upsertMeetingEvent', mailbox, input, ...(eventId ? { eventId } : {}) }, 'meetings');
    if (eventId) {
      const event = this.events.get(eventId);
      if (!event) throw new GraphError('ErrorItemNotFound', 'notFound', 404);
      event.input = input;
      return { eventId, joinUrl: event.joinUrl };
    }
    const known = [...this.events].find(([, e]) => e.mailbox === key(mailbox) && e.input.transactionId === input.transactionId);
    if (known) return { eventId: known[0], joinUrl: known[1].joinUrl };
    const n = this.events.size + 1;
    const event: FakeEvent = { mailbox: key(mailbox), input, joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_Beispiel${n}%40thread.v2/0` };
    this.events.set(`AAMkAD-event-${n}`, event);
    return { eventId: `AAMkAD-event-${n}`, joinUrl: event.joinUrl };
  }

  async findMeetingEvent(mailbox: string, transactionId: string): Promise<string | undefined> {
    await this.enter({ method: 'findMeetingEvent', mailbox, transactionId }, 'meetings');
    return [...this.events].find(([, e]) => e.mailbox === key(mailbox) && e.input.transactionId === transactionId && e.cancelled === undefined)?.[0];
  }

  async cancelMeetingEvent(mailbox: string, eventId: string, comment: string): Promise<void> {
    await this.enter({ method: 'cancelMeetingEvent', mailbox, eventId, comment }, 'meetings');
    // An event already gone counts as cancelled (the port's promise).
    const event = this.events.get(eventId);
    if (event) event.cancelled = comment;
  }

  async sendMail(mailbox: string, mail: MailInput): Promise<void> {
    await this.enter({ method: 'sendMail', mailbox, mail }, 'mail');
    this.sentMail.push({ from: mailbox, mail });
  }

  async botChatMessages(userId: string, since: Date): Promise<ChatMessageSeen[]> {
    await this.enter({ method: 'botChatMessages', userId, since }, 'chats');
    return (this.chats.get(key(userId)) ?? [])
      .filter((m) => Date.parse(m.createdDateTime) > since.getTime())
      .sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime))
      .slice(0, 50);
  }

  /** A message that shows in the person's chat with the app (for `botChatMessages`). */
  addChatMessage(userId: string, message: ChatMessageSeen): this {
    const list = this.chats.get(key(userId)) ?? [];
    list.push(message);
    this.chats.set(key(userId), list);
    return this;
  }

  /** Records the call, waits while held, fails as scripted, then refuses a method whose feature is not granted. */
  private async enter(call: DistributiveOmit<FakeGraphCall, 'at'>, feature: GraphFeature): Promise<void> {
    this.calls.push({ ...call, at: this.now() } as FakeGraphCall);
    const held = this.holds.get(call.method);
    if (held) await held;
    const failure = this.once.get(call.method)?.shift() ?? this.always.get(call.method);
    if (failure) throw failure;
    if (!this.granted.has(feature)) throw new GraphError('Authorization_RequestDenied', 'forbidden', 403);
  }
}

/** How to start a {@link FakeGraph}. */
export interface FakeGraphOptions {
  /** The granted features; all but `chats` unless given. */
  features?: Iterable<GraphFeature>;
  /** The time calls are recorded at (an injected clock); `Date.now` unless given. */
  now?: () => number;
  /** Called after a successful installation, e.g. so the Teams fake lets the bot open the chat. */
  onInstall?: (userId: string) => void;
}

/** A meeting event as the fake keeps it; `cancelled` holds the cancellation comment. */
export interface FakeEvent {
  mailbox: string;
  input: MeetingEventInput;
  joinUrl: string;
  cancelled?: string;
}

/** One recorded call; `at` is the options' `now()` when it was made. */
export type FakeGraphCall = { at: number } & (
  | { method: 'installState'; userId: string }
  | { method: 'installApp'; userId: string }
  | { method: 'resolveUsers'; identifiers: string[] }
  | { method: 'searchUsers'; text: string }
  | { method: 'groupMembers'; groupId: string }
  | { method: 'upsertMeetingEvent'; mailbox: string; input: MeetingEventInput; eventId?: string }
  | { method: 'findMeetingEvent'; mailbox: string; transactionId: string }
  | { method: 'cancelMeetingEvent'; mailbox: string; eventId: string; comment: string }
  | { method: 'sendMail'; mailbox: string; mail: MailInput }
  | { method: 'botChatMessages'; userId: string; since: Date }
);

/** The methods that are recorded and can be scripted to fail. */
export type CalledMethod = FakeGraphCall['method'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const key = (s: string) => s.trim().toLowerCase();
