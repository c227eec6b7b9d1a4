import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { projectRoot } from '../../services/paths';
import { CONTAINERS } from '../../services/storage/containers';
import { openDatabase, type AppDatabase } from '../../services/storage/database';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders, DEFAULT_BOT_APP_ID, DEFAULT_TENANT_ID, personalConversationId, user, type TeamsUser } from './activities';
import { testModeAuthEnv } from './authConfig';
import { observeInbound, startChannelEmulator, type ChannelEmulator, type ConnectorActivity, type ConnectorCall } from './channelEmulator';
import { KFI_LEAD } from './circle';
import { startGraphStandIn, type GraphStandIn, type ManagedIdentityEndpoint } from './graphStandIn';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

/** `CRASH_BOT_LOG=<file>`: every bot process's log lines appended to that file (for looking into a run). */
const botLog = process.env.CRASH_BOT_LOG;

/**
 * Crashes at moments nobody chose (issue 14): the real bot process (`node dist/bot/index.js`) is killed with SIGKILL
 * at random moments, again and again, while people act on Anliegen cards and the KfI announces meetings and polls to
 * the Koordinierungskreis; each time a new process starts on the same database and the same channel emulator. After
 * the last restart the harness waits for an explicit idle signal from the database, then checks from the receiving
 * side (what the emulator recorded) against what the database says was committed.
 *
 * Used by `test/integration/randomCrash.test.ts` (asserts) and `bench/crash.ts` (prints figures). Nothing in the
 * product knows about it. The seed (`CRASH_SEED`) replays every random choice: the kill delays and each person's
 * scripts and pauses (the interleaving of real processes still varies from run to run).
 */

// ------------------------------------------------------------------------------------------------ the verbs clicked

/**
 * Issue 14 renames `request.act` with `data.action` to one typed verb per action (`request.accept`, …). Switching the
 * driver is this one line.
 */
const TYPED_REQUEST_VERBS = true;

/** What each step clicks: the card verb and the data the card's button carries besides `id`, `authority`, `rev`. */
export const CARD_VERBS = {
  submit: { verb: 'request.submit', data: {} },
  accept: TYPED_REQUEST_VERBS ? { verb: 'request.accept', data: {} } : { verb: 'request.act', data: { action: 'accept' } },
  ask: TYPED_REQUEST_VERBS ? { verb: 'request.ask', data: {} } : { verb: 'request.act', data: { action: 'ask' } },
  answer: TYPED_REQUEST_VERBS ? { verb: 'request.answer', data: {} } : { verb: 'request.act', data: { action: 'answer' } },
  done: TYPED_REQUEST_VERBS ? { verb: 'request.done', data: {} } : { verb: 'request.act', data: { action: 'done' } },
  reply: { verb: 'request.reply', data: {} },
  meeting: { verb: 'circle.meeting.save', data: {} },
  poll: { verb: 'circle.poll.create', data: {} },
  // The Vortrag and its Termin (issue 17): the IB registers it, the head proposes a date, the other side accepts or
  // proposes another.
  reportSubmit: { verb: 'report.submit', data: {} },
  proposeMeeting: { verb: 'report.proposeMeeting', data: {} },
  counterMeeting: { verb: 'report.counterMeeting', data: {} },
  acceptMeeting: { verb: 'report.acceptMeeting', data: {} },
} as const satisfies Record<string, { verb: string; data: Record<string, string> }>;

type Step = 'accept' | 'ask' | 'answer' | 'done' | 'reply';

/** What the item's audit trail records for each step (the stored change's action). */
const TRAIL_ACTION: Record<Step, string> = {
  accept: 'request.accept',
  ask: 'request.ask',
  answer: 'request.answer',
  done: 'request.done',
  reply: 'request.reply',
};

/** The ways an Anliegen goes, from the IB taking it over to marking it done. */
const SCRIPTS: Step[][] = [
  ['accept', 'done'],
  ['accept', 'ask', 'reply', 'done'],
  ['accept', 'answer', 'done'],
  ['accept', 'ask', 'reply', 'answer', 'done'],
];

/** Status labels as a card's status line and the requester's message show them (German default, English). */
const STATUS_TEXT: Record<string, string[]> = {
  neu: ['Neu', 'New'],
  in_bearbeitung: ['In Bearbeitung', 'In progress'],
  rueckfrage: ['Rückfrage', 'Question back'],
  erledigt: ['Erledigt', 'Done'],
};

const AUTHORITIES = ['arnsberg', 'detmold', 'duesseldorf', 'koeln', 'muenster'] as const;

/** The Termin steps of a Vortrag and what its trail records for each (the head's first proposal is a decision). */
type ReportStep = 'submit' | 'view' | 'propose' | 'counter' | 'accept';
const REPORT_TRAIL_ACTION: Record<Exclude<ReportStep, 'view'>, string> = {
  submit: 'report.create',
  propose: 'report.decide',
  counter: 'report.counterMeeting',
  accept: 'report.acceptMeeting',
};

/** The messages of the Termin (German: nobody in the run chose English), by the state the step led to. */
const TERMIN_MESSAGE_START: Record<string, (subject: string) => string> = {
  termin_vorgeschlagen: (s) => `Terminvorschlag zum Vortrag „${s}“`,
  termin_gegenvorschlag: (s) => `zum Vortrag „${s}“ einen anderen Termin vor`,
  termin_vereinbart: (s) => `Termin zum Vortrag „${s}“ vereinbart`,
};

/** A stored date as cards and messages show it: "09.12.2026, 14:00 Uhr". */
const shownDate = (date: string, time: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}, ${time} Uhr`;

// ------------------------------------------------------------------------------------------------ options, result

export interface CrashRunOptions {
  /** Replays a run; defaults to `CRASH_SEED` from the environment, else a random one. */
  seed?: number;
  /** SIGKILLs of the bot process (default 20). */
  kills?: number;
  /** Members of staff submitting Anliegen at the same time (default 8). */
  staff?: number;
  /** A kill lands this many ms after the process reported listening, chosen at random in the range (default 50–900). */
  killDelayMs?: [number, number];
  /** Teams' answer latency for posts and updates (the window in which Teams has a message the outbox has not recorded). */
  channelLatencyMs?: number;
  /** How long to wait for the idle signal after the last restart (default 60 s). */
  idleTimeoutMs?: number;
  /** Extra environment for the bot processes. */
  botEnv?: Record<string, string>;
  /**
   * Run the bot as deployed with Graph's opt-in `chats` feature: its identity a user-assigned managed identity (the
   * Graph stand-in's App Service endpoint), Teams' requests signed by the local issuer, and Chat.Read.All granted, so
   * that an uncertain resend first looks in the person's chat (the channel emulator's, through the Graph stand-in).
   */
  readBack?: boolean;
  /** Progress lines (the seed first). */
  log?: (line: string) => void;
  /** Called with each bot process started (the bench registers them so none outlives it). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface CrashRunResult {
  seed: number;
  kills: number;
  /** Notifications a committed change owes that never reached their recipient, and cards left showing an old state. */
  lost: number;
  /** The same notification arriving more than once (same text to the same user for the same change, same announcement to the same member, same card posted twice). */
  duplicates: number;
  /** Stored state changes that are not complete (trail, revision, status, handler), or answered as stored and not found. */
  incomplete: number;
  /** What was expected on the receiving side, in notifications. */
  expected: number;
  lostDetails: string[];
  /** Cards that reached a holder who had acted already, shown as sent and refreshed by Teams when viewed (see the check). */
  lateCardsRefreshedOnView: number;
  duplicateDetails: string[];
  incompleteDetails: string[];
  /** Whether the idle signal came within the timeout (if not, the figures describe the state at the timeout). */
  idle: boolean;
  /** From the last restart to the idle signal. */
  idleMs: number;
  items: number;
  announcements: number;
  /** Vorträge registered, their Termin agreed, of those agreed after the IB's counter-proposal. */
  reports: number;
  reportsAgreed: number;
  reportsCountered: number;
  /** Cards of a Vortrag whose last version shows an older step, refreshed by Teams when viewed (see the check). */
  reportCardsRefreshedOnView: number;
  /**
   * Cards of an agreed Vortrag that showed the agreed date and were then updated to an earlier step (an older update
   * delivered after a newer one): the card ends showing a state that no longer holds. One line each.
   */
  rolledBackDetails: string[];
  /**
   * Anliegen whose requester got their status messages (first copies; repeats are counted as duplicates) in another
   * order than the changes were made, with all of them there. A kill can cause it: a message whose call the kill
   * interrupted before Teams took it is sent again after its lease runs out, and a later one may have gone meanwhile.
   */
  outOfOrderDetails: string[];
  /** Vorträge without a recorded head reach (the listener right after the delivery, or the check job when a kill came first). */
  reportsWithoutHeadReach: number;
  clicks: number;
  /** Clicks whose HTTP call died with the process and were made again. */
  retries: number;
  /** Answers that were neither a success, a stale card nor a dead connection (each listed). */
  unexpectedAnswers: string[];
  /** Sends the emulator saw twice with the same content in one conversation (may include legitimately equal texts). */
  channelRepeats: number;
  /** IBs who waited 30 s for an item's card in vain and acted from their list of open items instead. */
  cardWaitsTimedOut: string[];
  /** Cards Teams would refuse or mis-render (the emulator's checks), one line each. */
  cardErrors: string[];
  /** Why the idle signal did not come (empty when it did). */
  notIdle: string;
  /** The outbox's own count of sends repeated after an attempt whose outcome was never recorded. */
  uncertainResends: number;
  /**
   * Where each duplicate (a post that arrived more often than owed) came from, judged by the first kill after its
   * earlier copy reached the channel: `inFlight` when the kill came before the channel wrote its answer (Teams had the
   * message, the process could not know), `answered` when it came later (the answer was sent; the process had not read
   * it, or not recorded it), `noKill` when no kill followed (a duplicate no crash explains).
   */
  duplicateOrigins: { inFlight: number; answered: number; noKill: number };
  /** Sends found in the send journal after a kill and recorded instead of repeated (from the processes' log lines). */
  recoveredFromJournal: number;
  /** Sends found in the person's chat through Graph after a kill and recorded instead of repeated (read-back runs only). */
  recoveredFromChat: number;
  /** Whether the run read chats back ({@link CrashRunOptions.readBack}). */
  readBack: boolean;
  /** Deliveries the outbox closed without sending (key: status). */
  unsent: string[];
  /** The exit code of the last process after SIGTERM. */
  finalExitCode: number | null;
  wallMs: number;
}

// ------------------------------------------------------------------------------------------------ small helpers

/** mulberry32: a small seeded PRNG, enough to replay delays and choices. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (rand: () => number, [lo, hi]: [number, number]) => Math.round(lo + rand() * (hi - lo));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: any;
  /** Epoch ms when the answer (or the failure) arrived. */
  at: number;
}

/** POSTs an activity as Teams would deliver it; a connection the dying process dropped counts as status 0. */
function postActivity(url: string, activity: unknown, timeoutMs = 20_000, authorization?: string): Promise<Answer> {
  observeInbound(activity);
  const payload = JSON.stringify(activity);
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number, body: unknown) => {
      if (done) return;
      done = true;
      resolve({ status, body, at: Date.now() });
    };
    const req = request(`${url}/api/messages`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(authorization ? { authorization } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          finish(res.statusCode ?? 0, text ? JSON.parse(text) : undefined);
        } catch {
          finish(0, undefined);
        }
      });
      res.on('error', () => finish(0, undefined));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => finish(0, undefined));
    req.end(payload);
  });
}

/** A message Teams accepted: a send, or a personal chat created with its first message. */
function posted(call: ConnectorCall): boolean {
  return call.status < 300 && (call.operation === 'send' || (call.operation === 'createConversation' && call.createdActivityId !== undefined));
}

function contentJson(activity: ConnectorActivity | undefined): string {
  return JSON.stringify([activity?.text ?? null, (activity?.attachments ?? []).map((a) => a.content ?? null)]);
}

function isCard(activity: ConnectorActivity | undefined): boolean {
  return (activity?.attachments ?? []).length > 0;
}

/** The highest `rev` a card's buttons carry (the revision the person's card shows), if any. */
function revOnCard(body: unknown): number | undefined {
  const revs = [...JSON.stringify(body ?? null).matchAll(/"rev":"?(\d+)/g)].map((m) => Number(m[1]));
  return revs.length ? Math.max(...revs) : undefined;
}

/** The Teams user ids (MRIs) a card's automatic refresh names (`content` as `contentJson` writes it). */
function refreshUserIdsOf(content: string): string[] {
  const list = /"refresh":\{.*?"userIds":\[([^\]]*)\]/.exec(content)?.[1] ?? '';
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

function showsStatus(content: string, status: string): boolean {
  return (STATUS_TEXT[status] ?? [status]).some((label) => content.includes(`Status: ${label}`));
}

// ------------------------------------------------------------------------------------------------ people

interface DirectoryPerson {
  id: string;
  name: string;
  teams?: { aadObjectId: string };
}

interface DemoAuthority extends Record<'commissioner' | 'deputy' | 'head', DirectoryPerson> {
  code: string;
  headOffice: { staff?: DirectoryPerson[]; receivesReports?: boolean };
}

function demoDirectory(): { authorities: DemoAuthority[]; kfi: { contacts: DirectoryPerson[] }; circle: { members: Array<{ personId: string }> } } {
  return JSON.parse(readFileSync(path.join(projectRoot, 'data', 'demo-directory.json'), 'utf8'));
}

const asUser = (p: DirectoryPerson & { teams: { aadObjectId: string } }) => user({ name: p.name, aadObjectId: p.teams.aadObjectId });
const withTeams = (p: DirectoryPerson | undefined): p is DirectoryPerson & { teams: { aadObjectId: string } } => p?.teams !== undefined;

/** The IBs and deputies of the demo directory (they act on the Anliegen of their authority). */
function commissionerSide(): TeamsUser[] {
  return demoDirectory().authorities.flatMap((a) => [a.commissioner, a.deputy]).filter(withTeams).map(asUser);
}

/**
 * Each authority's people of a Vortrag: its IB (who registers it), its head (who proposes a date) and the office staff
 * who receive reports (the product sends them the head side's cards and messages too).
 */
export function reportSides(): Array<{ authority: string; ib: TeamsUser; head: TeamsUser; office: TeamsUser[] }> {
  return demoDirectory()
    .authorities.filter((a) => withTeams(a.commissioner) && withTeams(a.head))
    .map((a) => ({
      authority: a.code,
      ib: asUser(a.commissioner as DirectoryPerson & { teams: { aadObjectId: string } }),
      head: asUser(a.head as DirectoryPerson & { teams: { aadObjectId: string } }),
      office: a.headOffice.receivesReports ? (a.headOffice.staff ?? []).filter(withTeams).map(asUser) : [],
    }));
}

/** The Koordinierungskreis of the demo directory: its members with a Teams identity. */
export function circleMembers(): TeamsUser[] {
  const d = demoDirectory();
  const people = [...d.authorities.flatMap((a) => [a.commissioner, a.deputy]), ...d.kfi.contacts];
  return d.circle.members.map((m) => people.find((p) => p.id === m.personId)).filter(withTeams).map(asUser);
}

// ------------------------------------------------------------------------------------------------ the bot processes

interface BotRun {
  child: ChildProcess;
  url?: string;
  spawnedAt: number;
  /** When it logged `server.listening` (epoch ms). */
  listeningAt?: number;
  exited: Promise<number | null>;
  /** Log lines at error level or above (kept for the report). */
  errors: string[];
}

/** Starts, kills and restarts the real bot process; people wait for the one that is up. */
class Supervisor {
  private current?: BotRun;
  private up?: BotRun;
  /** Sends a restarted process found in the send journal and recorded instead of sending them again (its log lines). */
  recoveredFromJournal = 0;
  recoveredFromChat = 0;
  /** When each SIGKILL was sent (epoch ms, the emulator's clock). */
  readonly killedAt: number[] = [];
  private waiters: Array<(url: string) => void> = [];
  readonly runs: BotRun[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly onSpawn?: (child: ChildProcess) => void,
  ) {}

  /** Starts a process and resolves once it logs `server.listening`; a start that fails is tried again. */
  async start(): Promise<BotRun> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  private startOnce(): Promise<BotRun> {
    const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'bot', 'index.js')], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.onSpawn?.(child);
    const run: BotRun = { child, spawnedAt: Date.now(), exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))), errors: [] };
    this.runs.push(run);
    this.current = run;
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    return new Promise<BotRun>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('bot did not start within 45 s'));
      }, 45_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (botLog) appendFileSync(botLog, `${line}\n`);
          if (line.includes('"level":50') || line.includes('"level":60')) run.errors.push(line.slice(0, 500));
          if (line.includes('"delivery.recovered_from_journal"')) this.recoveredFromJournal += 1;
          if (line.includes('"delivery.recovered_from_chat"')) this.recoveredFromChat += 1;
          if (!run.url && line.includes('"server.listening"')) {
            clearTimeout(timer);
            run.url = String((JSON.parse(line) as { url: string }).url);
            run.listeningAt = Date.now();
            this.up = run;
            for (const w of this.waiters.splice(0)) w(run.url);
            resolve(run);
          }
        }
      });
      void run.exited.then((code) => {
        clearTimeout(timer);
        if (this.up === run) this.up = undefined;
        if (!run.url) reject(new Error(`bot exited early with ${code}: ${stderr.slice(-500)}`));
      });
    });
  }

  /** The URL of the process that is up, once one is. */
  url(): Promise<string> {
    if (this.up?.url) return Promise.resolve(this.up.url);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async kill(): Promise<void> {
    const run = this.current;
    if (!run) return;
    this.up = undefined;
    this.killedAt.push(Date.now());
    run.child.kill('SIGKILL');
    await run.exited;
  }

  /** SIGTERM to the last process; its exit code. */
  async stop(): Promise<number | null> {
    const run = this.current;
    if (!run) return null;
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([run.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      run.child.kill('SIGKILL');
      await run.exited;
      return null;
    }
    return code;
  }

  /** Ends every process still running (after a failure). */
  async killAll(): Promise<void> {
    for (const r of this.runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await Promise.all(this.runs.map((r) => r.exited));
  }

}

// ------------------------------------------------------------------------------------------------ stored documents

/** The fields of a stored item the checks read (kept local: the workflow modules are being reshaped). */
interface StoredItem {
  id: string;
  /** `request` (Anliegen) or `report` (Vortrag). */
  kind: string;
  authority: string;
  rev: number;
  status: string;
  subject: string;
  createdBy: { aadObjectId: string };
  handler?: { aadObjectId: string };
  cardsTo: string[];
  trail?: Array<{ actor: string; action: string; changes: Array<{ path: string; from: unknown; to: unknown }> }>;
  trailArchived?: number;
  lastChange?: { action: string };
  /** A Vortrag's date: the proposal or the agreement, and its calendar invitation. */
  termin?: { date: string; time: string; agreed?: { at: string }; invitation?: { state: string; retry?: boolean } };
  headReach?: { reach: string };
}

interface StoredAnnouncement {
  pk: string;
  type: 'meeting' | 'poll';
  title: string;
}

// ------------------------------------------------------------------------------------------------ the run

/** One click on a Vortrag's card that got an answer a person could see (a card), for the checks. */
interface ReportClick {
  step: ReportStep;
  by: string;
  itemId: string;
  rev: number;
  answer: Answer;
}

/** One click that got an answer a person could see (a card), for the checks. */
interface Click {
  step: Step;
  by: string;
  itemId: string;
  rev: number;
  answer: Answer;
}

export async function runCrashScenario(options: CrashRunOptions = {}): Promise<CrashRunResult> {
  const seed = options.seed ?? (process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : Math.floor(Math.random() * 2 ** 31));
  if (!Number.isSafeInteger(seed)) throw new Error(`CRASH_SEED must be a whole number (got ${process.env.CRASH_SEED})`);
  const killCount = options.kills ?? 20;
  const staffCount = options.staff ?? 8;
  const killDelay = options.killDelayMs ?? [50, 900];
  const latency = options.channelLatencyMs ?? 20;
  const log = options.log ?? (() => undefined);
  log(`crash run: seed ${seed} (replay with CRASH_SEED=${seed}), ${killCount} kills, ${staffCount} members of staff, channel latency ${latency} ms`);
  const started = Date.now();

  const db = await startEmbeddedCosmos();
  let database: AppDatabase | undefined;
  let emulator: ChannelEmulator | undefined;
  let bots: Supervisor | undefined;
  let issuer: TokenIssuer | undefined;
  let graph: GraphStandIn | undefined;
  let msi: ManagedIdentityEndpoint | undefined;
  try {
    const databaseId = `crash-${seed}`;
    database = await openDatabase({ databaseId, endpoint: db.endpoint, certificateSha256: db.certificateSha256 });
    emulator = await startChannelEmulator();
    emulator.setLatency((call) => (['send', 'update', 'createConversation'].includes(call.operation) ? latency : 0));
    // With read-back: Teams' requests carry a token of the local issuer (renewed every ten minutes), and the bot's
    // identity is the stand-in's managed identity with Chat.Read.All.
    let identityEnv: Record<string, string> = {};
    let authorization = (): string | undefined => undefined;
    if (options.readBack) {
      issuer = await startTokenIssuer({ appId: DEFAULT_BOT_APP_ID, endorsements: ['msteams'] });
      graph = await startGraphStandIn({ clientId: DEFAULT_BOT_APP_ID, tenantId: DEFAULT_TENANT_ID, permissions: ['TeamsAppInstallation.ReadWriteSelfForUser.All', 'Chat.Read.All'] });
      msi = await graph.startManagedIdentity();
      const chats = emulator;
      graph.linkChats((aadObjectId) => chats.personalMessagesOf(aadObjectId));
      const { MicrosoftAppPassword: _secret, ...graphEnv } = graph.env();
      identityEnv = { ...graphEnv, MicrosoftAppType: 'UserAssignedMSI', GRAPH_TEAMS_CATALOG_APP_ID: graph.catalogApp.id, HOST: '127.0.0.1', ...testModeAuthEnv({ appId: DEFAULT_BOT_APP_ID, issuer, tenantId: DEFAULT_TENANT_ID }), ...msi.env() };
      const signer = issuer;
      const serviceurl = emulator.serviceUrl;
      let token = { value: '', until: 0 };
      authorization = () => {
        if (Date.now() > token.until) token = { value: `Bearer ${signer.sign({ serviceurl })}`, until: Date.now() + 600_000 };
        return token.value;
      };
    }
    const post = (url: string, activity: unknown, timeoutMs = 20_000): Promise<Answer> => postActivity(url, activity, timeoutMs, authorization());
    const items = database.store<any>(CONTAINERS.items);
    const circle = database.store<any>(CONTAINERS.circle);
    const outbox = database.store<any>(CONTAINERS.outbox);
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    bots = new Supervisor(
      {
        COSMOS_ENDPOINT: db.endpoint,
        COSMOS_CERT_SHA256: db.certificateSha256,
        COSMOS_DATABASE: databaseId,
        SEED_DEMO_DIRECTORY: 'true',
        // A dead process's claims on deliveries run out after 3 s (the smallest lease allowed), not a minute.
        OUTBOX_LEASE_MS: '3000',
        // The relay's sweep takes over what a dead process left pending after 2 s and looks every 2 s (not 10 s and 30 s),
        // so that the run ends soon after the last restart; what it must deliver is the same.
        RELAY_GRACE_SECONDS: '2',
        RELAY_SWEEP_SECONDS: '2',
        // A job a kill took with it (say, a Vortrag's head-reach check) runs again soon, not after two minutes.
        JOB_POLL_SECONDS: '2',
        JOB_LEASE_SECONDS: '10',
        LOTSE_TEST_MODE: 'true',
        ...identityEnv,
        ...options.botEnv,
      },
      options.onSpawn,
    );
    const supervisor = bots;

    const commissioners = commissionerSide();
    const members = circleMembers();
    const sides = reportSides();
    const staff = Array.from({ length: staffCount }, (_, i) => user({ name: `Absturzprobe ${i + 1} (Beispiel)` }));
    const people = new Map<string, TeamsUser>();
    for (const p of [...commissioners, ...members, KFI_LEAD, ...staff, ...sides.flatMap((x) => [x.head, ...x.office])]) people.set(p.aadObjectId.toLowerCase(), p);
    for (const p of graph ? people.values() : []) {
      graph?.addUser({ id: p.aadObjectId, upn: p.userPrincipalName });
      graph?.setInstalled(p.aadObjectId, true);
    }
    const conversationOf = (aadObjectId: string) => {
      const person = people.get(aadObjectId.toLowerCase());
      return person ? personalConversationId(person.id) : `(unknown person ${aadObjectId})`;
    };

    await supervisor.start();
    // Everyone has the app, as in a tenant: Teams opens personal chats only with them.
    const firstUrl = await supervisor.url();
    const installs = await Promise.all([...people.values()].map(async (person) => ({ person, res: await post(firstUrl, teams.installationUpdate('add', { from: person })) })));
    for (const { person, res } of installs) if (res.status !== 200) throw new Error(`installing the app for ${person.name} answered ${res.status}`);

    // ---------------------------------------------------------------- people acting
    let stopping = false;
    let clicks = 0;
    let retries = 0;
    const unexpected: string[] = [];
    const answered: Click[] = [];

    /**
     * One click on a card, made again (same data, same rev) while the call dies with the process, as a person would.
     * Resolves with the answer a person sees: a card (changed, or stale), or a refusal.
     */
    const click = async (person: TeamsUser, verb: string, data: Record<string, unknown>, rand: () => number): Promise<Answer> => {
      for (let attempt = 1; attempt <= 100; attempt++) {
        clicks += 1;
        const answer = await post(await supervisor.url(), teams.cardAction(verb, data, { from: person }));
        const code = answer.body?.statusCode;
        if (answer.status === 200 && code === 200) return answer;
        if (answer.status === 0 || answer.status >= 500 || (typeof code === 'number' && code >= 500)) {
          retries += 1;
          await sleep(between(rand, [50, 250]));
          continue;
        }
        unexpected.push(`${verb} by ${person.name}: HTTP ${answer.status}, ${JSON.stringify(answer.body).slice(0, 300)}`);
        return answer;
      }
      unexpected.push(`${verb} by ${person.name}: no answer in 100 attempts`);
      return { status: 0, body: undefined, at: Date.now() };
    };

    /** What a person whose click got no answer finds when they look ("Meine Anliegen", the circle overview). */
    const itemWithSubject = async (subject: string) =>
      (await items.query<StoredItem>({ query: 'SELECT * FROM c WHERE c.type = "item" AND c.subject = @s', parameters: [{ name: '@s', value: subject }] }))[0];
    const announcementWithTitle = async (title: string) =>
      (await circle.query<StoredAnnouncement>({ query: 'SELECT c.pk FROM c WHERE (c.type = "meeting" OR c.type = "poll") AND c.title = @t', parameters: [{ name: '@t', value: title }] }))[0];

    /** Cards posted to each conversation so far (their content), read incrementally from the emulator's record. */
    const cardsIn = new Map<string, string[]>();
    let indexed = 0;
    const cardArrived = (holder: string, itemId: string): boolean => {
      const calls = emulator!.calls;
      for (; indexed < calls.length; indexed++) {
        const c = calls[indexed];
        if (posted(c) && c.conversationId && isCard(c.activity)) cardsIn.set(c.conversationId, [...(cardsIn.get(c.conversationId) ?? []), contentJson(c.activity)]);
      }
      return (cardsIn.get(conversationOf(holder)) ?? []).some((content) => content.includes(itemId));
    };
    const cardWaitsTimedOut: string[] = [];

    let itemNo = 0;
    const staffLoop = async (me: TeamsUser, index: number) => {
      const rand = prng(seed * 31 + index + 1);
      while (!stopping) {
        itemNo += 1;
        const subject = `Absturzprobe A${String(itemNo).padStart(4, '0')} Beispiel`;
        const authority = AUTHORITIES[Math.floor(rand() * AUTHORITIES.length)];
        const script = SCRIPTS[Math.floor(rand() * SCRIPTS.length)];
        // Submitting: clicked again only when the Anliegen is not there (a person looks at "Meine Anliegen" first).
        let item: StoredItem | undefined;
        while (!item) {
          clicks += 1;
          const res = await post(await supervisor.url(), teams.cardAction(CARD_VERBS.submit.verb, { ...CARD_VERBS.submit.data, authority, category: 'beratung', subject, description: 'Beschreibung (Beispiel)' }, { from: me }));
          item = await itemWithSubject(subject);
          if (!item) {
            if (res.status === 200) unexpected.push(`submit by ${me.name}: answered ${JSON.stringify(res.body).slice(0, 300)} but nothing stored`);
            retries += 1;
            await sleep(between(rand, [50, 250]));
          }
        }
        const handler = people.get(item.cardsTo[0]?.toLowerCase() ?? '');
        if (!handler) {
          unexpected.push(`item ${item.id}: its card went to ${item.cardsTo.join(', ')}, not an IB or deputy of the demo directory`);
          continue;
        }
        // The IB acts on the card in their chat: they wait for it (and after 30 s go to "Offene Vorgänge" instead).
        const waitUntil = Date.now() + 30_000;
        while (!cardArrived(handler.aadObjectId, item.id) && Date.now() < waitUntil) await sleep(100);
        if (!cardArrived(handler.aadObjectId, item.id)) cardWaitsTimedOut.push(`item ${item.id} (${subject}): no card for ${handler.name} within 30 s`);
        let rev = 1;
        for (const step of script) {
          await sleep(between(rand, [30, 300]));
          const actor = step === 'reply' ? me : handler;
          const { verb, data } = CARD_VERBS[step];
          const text = step === 'ask' ? 'Bitte nennen Sie den geplanten Termin (Beispiel).' : step === 'answer' ? 'Die Beteiligung ist vorgesehen (Beispiel).' : step === 'reply' ? 'Der Termin ist im März (Beispiel).' : undefined;
          const answer = await click(actor, verb, { ...data, id: item.id, authority: item.authority, rev, ...(text ? { text } : {}) }, rand);
          if (answer.body?.statusCode !== 200) break;
          answered.push({ step, by: actor.aadObjectId, itemId: item.id, rev, answer });
          const shown = revOnCard(answer.body);
          if (shown === undefined || shown <= rev) break;
          rev = shown;
        }
      }
    };

    let announcementNo = 0;
    const kfiLoop = async () => {
      const rand = prng(seed * 31 + 1000);
      while (!stopping) {
        await sleep(between(rand, [1500, 4000]));
        if (stopping) break;
        announcementNo += 1;
        const n = announcementNo;
        const kind = rand() < 0.5 ? 'meeting' : 'poll';
        const title = `Absturzprobe ${kind === 'meeting' ? 'Sitzung' : 'Umfrage'} ${n}`;
        const day = String(1 + (n % 27)).padStart(2, '0');
        const data =
          kind === 'meeting'
            ? { meetingId: '', title, date: `2030-03-${day}`, startTime: '10:00', endTime: '12:00', place: 'Arnsberg (Beispiel)', rsvpDeadline: '2030-02-28' }
            : { title, place: 'Arnsberg (Beispiel)', duration: '120', slot1Date: `2030-04-${day}`, slot1Time: '10:00', slot2Date: `2030-05-${day}`, slot2Time: '14:00' };
        // Announced again only when it is not there (the KfI looks at the circle first).
        while (!(await announcementWithTitle(title))) {
          clicks += 1;
          const res = await post(await supervisor.url(), teams.cardAction(CARD_VERBS[kind].verb, { ...CARD_VERBS[kind].data, ...data }, { from: KFI_LEAD }));
          if (res.status === 200 && !(await announcementWithTitle(title))) {
            unexpected.push(`${kind} by the KfI: answered ${JSON.stringify(res.body).slice(0, 300)} but nothing stored`);
            break;
          }
          if (res.status !== 200) {
            retries += 1;
            await sleep(between(rand, [50, 250]));
          }
        }
      }
    };

    /**
     * IBs register Vorträge and agree their date with the head (issue 17): the IB submits, the head proposes a date
     * (a few weeks after the bot's clock, the real one here), then either the IB accepts it, or the IB proposes another
     * and the head accepts that. Each click is made again while the call dies with the process, as for Anliegen.
     */
    let reportNo = 0;
    const reportAnswered: ReportClick[] = [];
    const reportWith = async (subject: string) =>
      (await items.query<StoredItem>({ query: 'SELECT * FROM c WHERE c.type = "item" AND c.kind = "report" AND c.subject = @s', parameters: [{ name: '@s', value: subject }] }))[0];
    const dateIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const reportLoop = async (index: number) => {
      const rand = prng(seed * 31 + 2000 + index);
      while (!stopping) {
        await sleep(between(rand, [100, 600]));
        if (stopping) break;
        reportNo += 1;
        const subject = `Absturzprobe V${String(reportNo).padStart(4, '0')} Beispiel`;
        const side = sides[Math.floor(rand() * sides.length)];
        // Registering: clicked again only when the Vortrag is not there (the IB looks at "Meine Vorträge" first).
        let report: StoredItem | undefined;
        while (!report) {
          clicks += 1;
          const res = await post(await supervisor.url(), teams.cardAction(CARD_VERBS.reportSubmit.verb, { ...CARD_VERBS.reportSubmit.data, authority: side.authority, subject, summary: 'Vorschlag zur Beteiligung (Beispiel).', urgency: 'normal', proposedDates: '' }, { from: side.ib }));
          report = await reportWith(subject);
          if (!report) {
            if (res.status === 200) unexpected.push(`report.submit by ${side.ib.name}: answered ${JSON.stringify(res.body).slice(0, 300)} but nothing stored`);
            retries += 1;
            await sleep(between(rand, [50, 250]));
          } else if (res.status === 200 && res.body?.statusCode === 200) {
            reportAnswered.push({ step: 'submit', by: side.ib.aadObjectId, itemId: report.id, rev: 0, answer: res });
          }
        }
        // The head acts on the card in their chat: they wait for it (and after 30 s open the Vortrag from their list).
        const waitUntil = Date.now() + 30_000;
        while (!cardArrived(side.head.aadObjectId, report.id) && Date.now() < waitUntil) await sleep(100);
        if (!cardArrived(side.head.aadObjectId, report.id)) cardWaitsTimedOut.push(`report ${report.id} (${subject}): no card for ${side.head.name} within 30 s`);
        const counter = rand() < 0.5;
        const proposal = { date: dateIn(14 + Math.floor(rand() * 30)), time: rand() < 0.5 ? '10:00' : '14:30' };
        const other = { date: dateIn(50 + Math.floor(rand() * 30)), time: rand() < 0.5 ? '09:30' : '15:00' };
        const steps: Array<[ReportStep, TeamsUser, Record<string, string>]> = counter
          ? [['propose', side.head, proposal], ['counter', side.ib, other], ['accept', side.head, {}]]
          : [['propose', side.head, proposal], ['accept', side.ib, {}]];
        for (const [step, actor, fields] of steps) {
          await sleep(between(rand, [30, 300]));
          // The card in the actor's chat as Teams shows it when they look (its automatic refresh, Universal Actions):
          // the side that waits has no buttons, so the step's revision is the one the other side's step made.
          const view = await click(actor, 'request.refresh', { id: report.id, authority: report.authority }, rand);
          if (view.body?.statusCode !== 200) break;
          reportAnswered.push({ step: 'view', by: actor.aadObjectId, itemId: report.id, rev: 0, answer: view });
          const rev = revOnCard(view.body);
          if (rev === undefined) {
            unexpected.push(`report ${report.id}: the card of ${actor.name} offers no step for ${step}`);
            break;
          }
          const { verb, data } = CARD_VERBS[step === 'propose' ? 'proposeMeeting' : step === 'counter' ? 'counterMeeting' : 'acceptMeeting'];
          const answer = await click(actor, verb, { ...data, id: report.id, authority: report.authority, rev, ...fields }, rand);
          if (answer.body?.statusCode !== 200) break;
          reportAnswered.push({ step, by: actor.aadObjectId, itemId: report.id, rev, answer });
        }
      }
    };

    // The KfI talks to the bot first, so the tenant's connector endpoint is known for 1:1 chats.
    await post(await supervisor.url(), teams.message('Hilfe', { from: KFI_LEAD }));
    const acting = Promise.all([...staff.map((me, i) => staffLoop(me, i)), kfiLoop(), reportLoop(0), reportLoop(1)]);

    // ---------------------------------------------------------------- kills at random moments
    const killRand = prng(seed);
    let kills = 0;
    for (let k = 0; k < killCount; k++) {
      await supervisor.url();
      await sleep(between(killRand, killDelay));
      await supervisor.kill();
      kills += 1;
      await supervisor.start();
      if ((k + 1) % 5 === 0) log(`crash run: ${k + 1} kills, ${clicks} clicks, ${itemNo} Anliegen, ${reportNo} Vorträge, ${announcementNo} announcements so far`);
    }
    const lastRestart = Date.now();
    stopping = true;
    await acting;
    const actingDone = Date.now();
    log(`crash run: last restart, then everyone finished what they were doing in ${actingDone - lastRestart} ms`);

    // ---------------------------------------------------------------- the idle signal
    const count = async (store: typeof items, query: string) => (await store.query<number>({ query }))[0] ?? 0;
    let notIdle = '';
    const idleNow = async (): Promise<boolean> => {
      const open = await count(outbox, 'SELECT VALUE COUNT(1) FROM c WHERE c.kind = "delivery" AND c.open = true');
      if (open > 0) return !(notIdle = `${open} open deliveries in the outbox`);
      for (const store of [items, circle]) {
        // The transactional outbox: notices still riding in a document are not relayed yet.
        const pending = await count(store, 'SELECT VALUE COUNT(1) FROM c WHERE IS_DEFINED(c.pending) AND ARRAY_LENGTH(c.pending) > 0');
        if (pending > 0) return !(notIdle = `${pending} documents with pending notifications`);
      }
      // An agreed Vortrag's invitation is made by the relay after the agreement's notice left `pending` (or by the retry
      // job): until it is settled (the .ics here, no Graph), the cards and messages of the agreement are not final.
      const invitations = await count(items, 'SELECT VALUE COUNT(1) FROM c WHERE c.type = "item" AND c.kind = "report" AND c.status = "termin_vereinbart" AND (NOT IS_DEFINED(c.termin.invitation) OR c.termin.invitation.state = "pending" OR c.termin.invitation.retry = true)');
      if (invitations > 0) return !(notIdle = `${invitations} agreed Vorträge with their invitation not settled`);
      // Whether each Vortrag reached its head is recorded (by the listener, or by the check job if a kill came first).
      const unrecorded = await count(items, 'SELECT VALUE COUNT(1) FROM c WHERE c.type = "item" AND c.kind = "report" AND NOT IS_DEFINED(c.headReach)');
      if (unrecorded > 0) return !(notIdle = `${unrecorded} Vorträge without a recorded head reach`);
      // Every stored meeting and poll has its announcement to every member in the outbox.
      const keys = await outbox.query<string>({ query: 'SELECT VALUE c.notificationKey FROM c WHERE c.kind = "delivery" AND STARTSWITH(c.notificationKey, "circle:") AND ENDSWITH(c.notificationKey, ":announce")' });
      const perKey = new Map<string, number>();
      for (const key of keys) perKey.set(key, (perKey.get(key) ?? 0) + 1);
      const stored = await circle.query<StoredAnnouncement>({ query: 'SELECT c.pk, c.type FROM c WHERE c.type = "meeting" OR c.type = "poll"' });
      const short = stored.filter((a) => (perKey.get(`circle:${a.type}:${a.pk}:announce`) ?? 0) < members.length);
      if (short.length) return !(notIdle = `${short.map((a) => `${a.type} ${a.pk} (${perKey.get(`circle:${a.type}:${a.pk}:announce`) ?? 0} of ${members.length} members)`).join(', ')} not fully announced in the outbox`);
      return true;
    };
    const idleTimeout = options.idleTimeoutMs ?? 60_000;
    let idle = false;
    let calm = 0;
    while (Date.now() - actingDone < idleTimeout) {
      // Twice in a row, so that nothing was between a relay's enqueue and its clearing.
      calm = (await idleNow()) ? calm + 1 : 0;
      if (calm >= 2) {
        idle = true;
        break;
      }
      await sleep(250);
    }
    const idleMs = Date.now() - lastRestart;
    log(`crash run: ${idle ? 'idle' : `NOT idle (${notIdle})`} ${idleMs} ms after the last restart`);
    const deliveries = await outbox.query<{ status: string; open: boolean; uncertainResends?: number; notificationKey: string }>({ query: 'SELECT c.status, c.open, c.uncertainResends, c.notificationKey FROM c WHERE c.kind = "delivery"' });
    const uncertainResends = deliveries.reduce((n, d) => n + (d.uncertainResends ?? 0), 0);
    const unsent = deliveries.filter((d) => !d.open && d.status !== 'sent').map((d) => `${d.notificationKey}: ${d.status}`);

    // ---------------------------------------------------------------- checks from the receiving side
    const calls = emulator.calls;
    const postsIn = new Map<string, ConnectorCall[]>();
    for (const c of calls) if (posted(c) && c.conversationId) postsIn.set(c.conversationId, [...(postsIn.get(c.conversationId) ?? []), c]);
    const updatesOf = new Map<string, ConnectorCall[]>();
    for (const c of calls) if (c.operation === 'update' && c.status < 300 && c.activityId) updatesOf.set(c.activityId, [...(updatesOf.get(c.activityId) ?? []), c]);

    const lostDetails: string[] = [];
    const outOfOrderDetails: string[] = [];
    const duplicateDetails: string[] = [];
    const incompleteDetails: string[] = [];
    let lost = 0;
    let lateCardsRefreshedOnView = 0;
    let duplicates = 0;
    let expected = 0;
    // Where the kill found each duplicate's earlier copy: still in Teams' hands (killed before the answer), answered
    // but not yet recorded, or no kill after it at all (a duplicate no crash explains).
    const duplicateOrigins = { inFlight: 0, answered: 0, noKill: 0 };
    const originOf = (c: ConnectorCall): string => {
      const kill = supervisor.killedAt.find((k) => k >= c.time);
      const run = [...supervisor.runs].reverse().find((r) => r.spawnedAt <= c.time);
      const age = run?.listeningAt !== undefined ? `${c.time - run.listeningAt} ms after its process listened` : 'before its process listened';
      if (kill === undefined) {
        duplicateOrigins.noKill += 1;
        return `first call ${age}, no kill after it`;
      }
      if (kill <= (c.answeredAt ?? c.time + latency)) {
        duplicateOrigins.inFlight += 1;
        return `first call ${age}, killed ${kill - c.time} ms into the call`;
      }
      duplicateOrigins.answered += 1;
      return `first call ${age}, answered ${(c.answeredAt ?? c.time) - c.time} ms into the call, killed ${kill - (c.answeredAt ?? c.time)} ms after the answer`;
    };
    // The copies that were sent again: where several equal messages were owed, the ones with the same content later
    // whose call the next kill came closest to (a repeated copy was in flight, or just answered, when it came).
    const repeatedCopies = (calls: ConnectorCall[], n: number): ConnectorCall[] => {
      const sorted = [...calls].sort((a, b) => a.time - b.time);
      const killGap = (c: ConnectorCall) => {
        const repeatedLater = sorted.some((later) => later.time > c.time && contentJson(later.activity) === contentJson(c.activity));
        const kill = supervisor.killedAt.find((k) => k >= c.time);
        return repeatedLater && kill !== undefined ? kill - c.time : Number.POSITIVE_INFINITY;
      };
      return sorted.map((c, i) => ({ c, gap: killGap(c), i })).sort((a, b) => a.gap - b.gap || a.i - b.i).slice(0, n).map((x) => x.c);
    };
    /** Compares how often something arrived with how often it was owed (the calls, where known, to say why). */
    const tally = (what: string, owed: number, arrived: number | ConnectorCall[]) => {
      const count = typeof arrived === 'number' ? arrived : arrived.length;
      expected += owed;
      if (count < owed) {
        lost += owed - count;
        lostDetails.push(`${what}: ${count} of ${owed} arrived`);
      } else if (count > owed) {
        duplicates += count - owed;
        const origins = typeof arrived === 'number' ? [] : repeatedCopies(arrived, count - owed).map(originOf);
        duplicateDetails.push(`${what}: arrived ${count} times, owed ${owed}${origins.length ? ` (${origins.join('; ')})` : ''}`);
      }
    };

    const storedAll = await items.query<StoredItem>({ query: 'SELECT * FROM c WHERE c.type = "item"' });
    const stored = storedAll.filter((i) => i.kind !== 'report');
    const reports = storedAll.filter((i) => i.kind === 'report');
    for (const item of stored) {
      const trail = item.trail ?? [];
      // Every stored change complete: trail and revision agree, each change starts where the previous one ended.
      if (trail.length + (item.trailArchived ?? 0) !== item.rev) incompleteDetails.push(`item ${item.id}: rev ${item.rev}, ${trail.length} trail entries`);
      if (trail[0]?.action !== 'request.create') incompleteDetails.push(`item ${item.id}: first trail entry ${trail[0]?.action}`);
      let status = 'neu';
      for (const entry of trail.slice(1)) {
        const change = entry.changes.find((c) => c.path === '/status');
        if (!change || change.from !== status) incompleteDetails.push(`item ${item.id}: ${entry.action} changes status from ${String(change?.from)}, it was ${status}`);
        status = String(change?.to ?? status);
      }
      if (status !== item.status) incompleteDetails.push(`item ${item.id}: status ${item.status}, its trail ends at ${status}`);
      if (item.rev > 1 && item.lastChange?.action !== trail.at(-1)?.action) incompleteDetails.push(`item ${item.id}: last change ${item.lastChange?.action}, trail ends with ${trail.at(-1)?.action}`);
      if (item.status !== 'neu' && !item.handler) incompleteDetails.push(`item ${item.id}: ${item.status} without a handler`);

      const requester = item.createdBy.aadObjectId;
      const textsTo = (aad: string) => (postsIn.get(conversationOf(aad)) ?? []).filter((c) => !isCard(c.activity) && (c.activity?.text ?? '').includes(item.subject));
      // The requester hears of every change the IB makes, with the status it made.
      const toRequester = textsTo(requester);
      const owedStatuses = trail.slice(1).filter((e) => e.actor.toLowerCase() !== requester.toLowerCase()).map((e) => String(e.changes.find((c) => c.path === '/status')?.to));
      const statusOf = (c: ConnectorCall) => owedStatuses.find((s) => (STATUS_TEXT[s] ?? [s]).some((label) => (c.activity?.text ?? '').includes(label)));
      let complete = true;
      for (const s of new Set(owedStatuses)) {
        const arrived = toRequester.filter((c) => statusOf(c) === s);
        const owed = owedStatuses.filter((x) => x === s).length;
        if (arrived.length < owed) complete = false;
        tally(`item ${item.id} (${item.subject}): message "${s}" to the requester`, owed, arrived);
      }
      // In the order of the changes: the owed statuses are, in turn, found in the chat in the order the messages arrived
      // (repeats may come between them).
      const arrivedInOrder = [...toRequester].sort((a, b) => a.seq - b.seq).map(statusOf);
      let next = 0;
      for (const s of arrivedInOrder) if (s === owedStatuses[next]) next += 1;
      if (complete && next < owedStatuses.length) outOfOrderDetails.push(`item ${item.id} (${item.subject}): changes ${owedStatuses.join(' → ')}, messages arrived ${arrivedInOrder.join(' → ')}`);
      // The handler hears of every reply of the requester.
      const replies = trail.filter((e) => e.action === TRAIL_ACTION.reply).length;
      if (item.handler) tally(`item ${item.id} (${item.subject}): reply notice to the handler`, replies, textsTo(item.handler.aadObjectId));
      else if (replies) incompleteDetails.push(`item ${item.id}: replies without a handler`);
      // Each card holder got the card once, and what their card shows last is the final status.
      for (const holder of item.cardsTo) {
        const cards = (postsIn.get(conversationOf(holder)) ?? []).filter((c) => isCard(c.activity) && contentJson(c.activity).includes(item.id));
        tally(`item ${item.id} (${item.subject}): card to ${holder}`, 1, cards);
        // The card the holder acts on is the first one posted (a repeat is counted as a duplicate above); its updates
        // may go to a repeat's message id (the one the outbox recorded), so those count too.
        const views: Array<{ at: number; seq: number; content: string; what: string }> = [];
        if (cards[0]) views.push({ at: cards[0].time, seq: cards[0].seq, content: contentJson(cards[0].activity), what: `post #${cards[0].seq}` });
        for (const c of cards) {
          for (const u of updatesOf.get(c.createdActivityId ?? '') ?? []) views.push({ at: u.time, seq: u.seq, content: contentJson(u.activity), what: `update #${u.seq}` });
        }
        // The holder's own clicks replace their card with the answer (Universal Actions); the bot does not update it then.
        for (const a of answered) if (a.itemId === item.id && a.by.toLowerCase() === holder.toLowerCase()) views.push({ at: a.answer.at, seq: Infinity, content: JSON.stringify(a.answer.body), what: `answer to ${a.step}` });
        if (cards.length === 0) continue;
        const last = views.sort((x, y) => x.at - y.at || x.seq - y.seq).at(-1)!;
        expected += 1;
        // A holder who acted before their card reached them (they wait 30 s for it, then act from their list) gets the
        // card late, as it was when it was sent. Teams refreshes such a card to the current state when the holder
        // views it, for the people its `refresh.userIds` names (Universal Actions, user-specific views), so it does
        // not stay stale; only in that case is the late post not counted as lost.
        const mri = people.get(holder.toLowerCase())?.id;
        const actedBefore = views.some((v) => v.what.startsWith('answer') && v.at < last.at);
        const refreshedOnView = last.what.startsWith('post') && actedBefore && !!mri && refreshUserIdsOf(last.content).includes(mri);
        if (refreshedOnView) lateCardsRefreshedOnView += 1;
        else if (!showsStatus(last.content, item.status)) {
          lost += 1;
          lostDetails.push(`item ${item.id} (${item.subject}): the card of ${holder} shows last (${last.what}) not the final status ${item.status}`);
        }
      }
    }
    // Every answer that showed a card for a step is a stored change at that revision (by this step, or before it).
    for (const a of answered) {
      const item = stored.find((i) => i.id === a.itemId);
      const entry = item?.trail?.[a.rev - (item.trailArchived ?? 0)];
      if (!entry || entry.action !== TRAIL_ACTION[a.step] || entry.actor.toLowerCase() !== a.by.toLowerCase()) {
        incompleteDetails.push(`item ${a.itemId}: ${a.step} at rev ${a.rev} was answered, the trail has ${entry ? `${entry.action} by ${entry.actor}` : 'nothing'} there`);
      }
    }

    // ---------------------------------------------------------------- Vorträge and their Termin
    let reportCardsRefreshedOnView = 0;
    const rolledBackDetails: string[] = [];
    let reportsAgreed = 0;
    let reportsCountered = 0;
    for (const item of reports) {
      const what = `report ${item.id} (${item.subject})`;
      const trail = item.trail ?? [];
      // Complete: one revision per step of a person (the system's entries, head reach and invitation, keep the
      // revision), each status change starting where the previous one ended, and the last change the trail's last step.
      const steps = trail.filter((e) => e.actor !== 'system');
      if (steps.length + (item.trailArchived ?? 0) !== item.rev) incompleteDetails.push(`${what}: rev ${item.rev}, ${steps.length} trail entries of people`);
      if (steps[0]?.action !== REPORT_TRAIL_ACTION.submit) incompleteDetails.push(`${what}: first trail entry ${steps[0]?.action}`);
      let status: string | null = null;
      for (const entry of steps) {
        const change = entry.changes.find((c) => c.path === '/status');
        if (!change || change.from !== status) incompleteDetails.push(`${what}: ${entry.action} changes status from ${String(change?.from)}, it was ${status}`);
        status = String(change?.to ?? status);
      }
      if (status !== item.status) incompleteDetails.push(`${what}: status ${item.status}, its trail ends at ${status}`);
      if (item.rev > 1 && item.lastChange?.action !== steps.at(-1)?.action) incompleteDetails.push(`${what}: last change ${item.lastChange?.action}, trail ends with ${steps.at(-1)?.action}`);
      const agreed = item.status === 'termin_vereinbart';
      if (agreed) {
        reportsAgreed += 1;
        if (steps.some((e) => e.action === REPORT_TRAIL_ACTION.counter)) reportsCountered += 1;
        // The invitation settled: the .ics (no Graph in this run), once in the trail.
        if (item.termin?.invitation?.state !== 'ics' || item.termin.invitation.retry) incompleteDetails.push(`${what}: agreed, its invitation ${JSON.stringify(item.termin?.invitation ?? null)}`);
        const invitationEntries = trail.filter((e) => e.action === 'report.invitation').length;
        if (invitationEntries !== 1) incompleteDetails.push(`${what}: agreed once, ${invitationEntries} invitation entries in the trail`);
      } else if (item.status !== 'eingereicht' && item.status !== 'termin_vorgeschlagen' && item.status !== 'termin_gegenvorschlag') {
        incompleteDetails.push(`${what}: status ${item.status}, not a step of this run`);
      }

      const creator = item.createdBy.aadObjectId.toLowerCase();
      const headSide = item.cardsTo.map((id) => id.toLowerCase());
      const chatOf = (aad: string) => postsIn.get(conversationOf(aad)) ?? [];
      // The head side's new-Vortrag card, once each.
      const cardsOf = (aad: string) => chatOf(aad).filter((c) => isCard(c.activity) && contentJson(c.activity).includes(item.id));
      for (const holder of headSide) tally(`${what}: new-Vortrag card to ${holder}`, 1, cardsOf(holder));
      // The Termin's messages, owed by each step the trail records: a proposal of the head side to the IB, the IB's
      // counter-proposal to the head side, the agreement to both sides (not to the one who accepted).
      const owedMessages = new Map<string, number>();
      const owe = (to: string, state: string) => owedMessages.set(`${to}|${state}`, (owedMessages.get(`${to}|${state}`) ?? 0) + 1);
      for (const entry of steps.slice(1)) {
        const to = String(entry.changes.find((c) => c.path === '/status')?.to);
        const actor = entry.actor.toLowerCase();
        const recipients = to === 'termin_vorgeschlagen' ? [creator] : to === 'termin_gegenvorschlag' ? headSide : to === 'termin_vereinbart' ? [creator, ...headSide] : [];
        for (const r of new Set(recipients)) if (r !== actor) owe(r, to);
      }
      for (const r of new Set([creator, ...headSide])) {
        const texts = chatOf(r).filter((c) => !isCard(c.activity));
        for (const state of Object.keys(TERMIN_MESSAGE_START)) {
          const arrived = texts.filter((c) => (c.activity?.text ?? '').includes(TERMIN_MESSAGE_START[state](item.subject)));
          const owedCount = owedMessages.get(`${r}|${state}`) ?? 0;
          if (owedCount || arrived.length) tally(`${what}: message "${state}" to ${r}`, owedCount, arrived);
        }
      }
      if (!agreed) continue;
      // Every card of the agreed Vortrag shows the agreed date last: the head side's posted cards (and the bot's
      // updates of them), the IB's card (the answers to the IB's own clicks), and each one's own clicks' answers.
      const agreedText = `Termin vereinbart: ${shownDate(item.termin!.date, item.termin!.time)}`;
      for (const holder of new Set([creator, ...headSide])) {
        const views: Array<{ at: number; seq: number; content: string; what: string }> = [];
        const cards = cardsOf(holder);
        if (cards[0]) views.push({ at: cards[0].time, seq: cards[0].seq, content: contentJson(cards[0].activity), what: `post #${cards[0].seq}` });
        for (const c of cards) for (const u of updatesOf.get(c.createdActivityId ?? '') ?? []) views.push({ at: u.time, seq: u.seq, content: contentJson(u.activity), what: `update #${u.seq}` });
        for (const a of reportAnswered) if (a.itemId === item.id && a.by.toLowerCase() === holder) views.push({ at: a.answer.at, seq: Infinity, content: JSON.stringify(a.answer.body), what: `answer to ${a.step}` });
        if (!views.length) continue;
        const last = views.sort((x, y) => x.at - y.at || x.seq - y.seq).at(-1)!;
        expected += 1;
        if (last.content.includes(agreedText)) continue;
        const shows = (v: { content: string; what: string; at: number }) => `${v.what} at ${v.at}: ${/Status: [^"\\]*/.exec(v.content)?.[0] ?? '(no status)'}`;
        // A card this person acted on last (their own click's answer) that the other side's acceptance made old: the bot
        // has no message of it to update (an invoke's answer, no posted card), so Teams refreshes it to the current
        // state when the person views it, for the people its `refresh.userIds` names (Universal Actions).
        const mri = people.get(holder)?.id;
        const killsNear = supervisor.killedAt.filter((k) => Math.abs(k - last.at) < 5_000);
        if (last.what.startsWith('answer') && !!mri && refreshUserIdsOf(last.content).includes(mri)) reportCardsRefreshedOnView += 1;
        else if (last.what.startsWith('update') && views.some((v) => v.what.startsWith('update') && v.content.includes(agreedText))) {
          // The agreement's update arrived, and an update of an earlier step came after it: the card went back.
          // What the outbox recorded of the card and its updates (for whoever looks into the delivery).
          const recorded = await outbox.query<{ notificationKey: string; status: string; createdAtMs: number; attempts: number; uncertainResends?: number; latestUpdateMs?: number; sentAt?: string; lastError?: { code?: string } }>({
            query: 'SELECT c.notificationKey, c.status, c.createdAtMs, c.attempts, c.uncertainResends, c.latestUpdateMs, c.sentAt, c.lastError FROM c WHERE c.kind = "delivery" AND STARTSWITH(c.notificationKey, @k)',
            parameters: [{ name: '@k', value: `item:${item.id}:card:${holder}` }],
          });
          const outboxLines = recorded
            .sort((x, y) => x.createdAtMs - y.createdAtMs)
            .map((d) => `${d.notificationKey.slice(`item:${item.id}:card:${holder}`.length) || '(post)'} ${d.status} created ${d.createdAtMs} sent ${d.sentAt ?? '-'} attempts ${d.attempts} uncertain ${d.uncertainResends ?? 0}${d.lastError?.code ? ` lastError ${d.lastError.code}` : ''}${d.latestUpdateMs ? ` latestUpdate ${d.latestUpdateMs}` : ''}`);
          rolledBackDetails.push(`${what}: the card of ${holder} showed "${agreedText}" and then an older step (${shows(last)}); its versions: ${views.map(shows).join(', ')}; kills within 5 s: ${killsNear.join(', ') || 'none'}; outbox: ${outboxLines.join(' | ')}`);
        } else {
          lost += 1;
          lostDetails.push(`${what}: the card of ${holder} shows last (${shows(last)}) not "${agreedText}"; its versions: ${views.map(shows).join(', ')}; kills within 5 s: ${killsNear.join(', ') || 'none'}`);
        }
      }
    }
    // Every answer that showed a Vortrag's card for a step is a stored change at that revision (by this step, or before it).
    for (const a of reportAnswered) {
      if (a.step === 'submit' || a.step === 'view') continue;
      const item = reports.find((i) => i.id === a.itemId);
      const entry = item?.trail?.filter((e) => e.actor !== 'system')[a.rev - (item.trailArchived ?? 0)];
      if (!entry || entry.action !== REPORT_TRAIL_ACTION[a.step] || entry.actor.toLowerCase() !== a.by.toLowerCase()) {
        incompleteDetails.push(`report ${a.itemId}: ${a.step} at rev ${a.rev} was answered, the trail has ${entry ? `${entry.action} by ${entry.actor}` : 'nothing'} there`);
      }
    }
    const reportsWithoutHeadReach = reports.filter((r) => !r.headReach).length;

    // Every member got each meeting and poll announced once.
    const announcements = await circle.query<StoredAnnouncement>({ query: 'SELECT c.pk, c.type, c.title FROM c WHERE c.type = "meeting" OR c.type = "poll"' });
    for (const a of announcements) {
      for (const m of members) {
        const arrived = (postsIn.get(conversationOf(m.aadObjectId)) ?? []).filter((c) => contentJson(c.activity).includes(a.pk));
        tally(`${a.type} ${a.pk} (${a.title}) to ${m.name}`, 1, arrived);
      }
    }

    const repeatGroups = emulator.duplicateDeliveries().filter((g) => g.reason === 'sameContent');
    const channelRepeats = repeatGroups.reduce((n, g) => n + g.calls.length - 1, 0);
    const cardErrors = emulator.takeCardErrors().map((e) => `${e.where}${e.conversationId ? ` to ${e.conversationId}` : ''}: ${e.errors.join('; ')}`);
    const finalExitCode = await supervisor.stop();
    const errorLines = supervisor.runs.flatMap((r) => r.errors);
    if (errorLines.length) log(`crash run: ${errorLines.length} error log line(s) from the bot processes, first: ${errorLines[0]}`);
    return {
      seed,
      kills,
      lost,
      duplicates,
      incomplete: incompleteDetails.length,
      expected,
      lostDetails,
      lateCardsRefreshedOnView,
      duplicateDetails,
      incompleteDetails,
      idle,
      idleMs,
      items: stored.length,
      announcements: announcements.length,
      reports: reports.length,
      reportsAgreed,
      reportsCountered,
      reportCardsRefreshedOnView,
      reportsWithoutHeadReach,
      rolledBackDetails,
      outOfOrderDetails,
      clicks,
      retries,
      unexpectedAnswers: unexpected,
      channelRepeats,
      cardErrors,
      cardWaitsTimedOut,
      notIdle: idle ? '' : notIdle,
      uncertainResends,
      duplicateOrigins,
      recoveredFromJournal: supervisor.recoveredFromJournal,
      recoveredFromChat: supervisor.recoveredFromChat,
      readBack: !!options.readBack,
      unsent,
      finalExitCode,
      wallMs: Date.now() - started,
    };
  } finally {
    await bots?.killAll();
    await msi?.close();
    await graph?.close();
    await issuer?.close();
    await emulator?.close();
    await database?.close();
    await db.close();
  }
}
