import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuditLog, type AuditEntry } from '../../services/audit/auditLog';
import { DirectoryRepository, type DirectoryDoc } from '../../services/directory/directoryRepository';
import type { Directory } from '../../services/directory/model';
import { parseDirectory } from '../../services/directory/validate';
import type { PostDoc } from '../../services/posts/model';
import { CONTAINERS } from '../../services/storage/containers';
import { DEFAULT_BOT_APP_ID, personalConversationId, type TeamsUser } from './activities';
import { readVisible } from './cardReading';
import type { ConnectorActivity } from './channelEmulator';
import { eventually } from './circle';
import { useGraphBotSuite, type GraphBotSuite, type GraphBotSuiteOptions } from './graphBotSuite';
import type { TestApp } from './testApp';

/** The bot's app id in the posts suites. */
export const APP_ID = DEFAULT_BOT_APP_ID;

/** The Adaptive Card of an activity the bot sent, if any. */
export const cardOf = (a: ConnectorActivity) => a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content as Record<string, unknown> | undefined;
/** What a card shows, as a user reads it, one text a line. */
export const textOf = (card: unknown) => readVisible((card ?? {}) as Record<string, unknown>).texts.map((t) => t.text).join('\n');
/** The personal chat of a person with the bot. */
export const chatOf = (person: TeamsUser) => personalConversationId(person.id, APP_ID);

export interface PostsSuiteOptions extends GraphBotSuiteOptions {
  now: () => Date;
}

export interface PostsSuite extends GraphBotSuite {
  /** A card action (`verb` with `data`) by `from` in `locale`. */
  act(verb: string, data: Record<string, unknown>, from: TeamsUser, locale?: string): ReturnType<TestApp['post']>;
  /** Every post stored. */
  allPosts(): Promise<PostDoc[]>;
  /** The information posts (cards) in a person's personal chat. */
  postsIn(person: TeamsUser): ConnectorActivity[];
  /** The reminders in a person's personal chat. */
  remindersIn(person: TeamsUser): ConnectorActivity[];
  /**
   * Sends a post with `input` as `sender` through the tab; returns the stored post once its cards are delivered. The
   * clock stands still: the new post is the one this suite has not returned before.
   */
  sendPost(sender: string, input: Record<string, string>): Promise<PostDoc>;
}

/**
 * The posts suites' set-up: the bot with Graph over HTTP (`useGraphBotSuite`) on the clock `now`, and the posts'
 * helpers. Installing the app for people is each suite's own set-up.
 */
export function usePostsSuite(options: PostsSuiteOptions): PostsSuite {
  const suite = useGraphBotSuite(options);
  const { post, call } = suite;
  const act = (verb: string, data: Record<string, unknown>, from: TeamsUser, locale = 'de-DE') => post(suite.teams.cardAction(verb, data, { from, locale }));
  const allPosts = () => suite.database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post'" });
  const postsIn = (person: TeamsUser) => suite.emulator.activitiesTo(chatOf(person)).filter((a) => String(a.summary ?? '').startsWith('Information'));
  const remindersIn = (person: TeamsUser) => suite.emulator.activitiesTo(chatOf(person)).filter((a) => /^(Erinnerung|Reminder): /.test(a.text ?? ''));

  const seen = new Set<string>();
  async function sendPost(sender: string, input: Record<string, string>): Promise<PostDoc> {
    const res = await call('POST', '/api/tab/send', sender, { kind: 'post', input });
    expect(res.status).toBe(200);
    const fresh = (await allPosts()).filter((p) => !seen.has(p.pk));
    expect(fresh).toHaveLength(1);
    const doc = fresh[0]!;
    seen.add(doc.pk);
    await eventually(async () => {
      const r = await suite.app.delivery.reports.report(`post:${doc.pk}:announce`);
      const en = await suite.app.delivery.reports.report(`post:${doc.pk}:announce:en`);
      return r.total + en.total === doc.recipients.length && r.pending + en.pending === 0;
    });
    await suite.app.delivery.whenIdle();
    return doc;
  }

  return Object.assign(suite, { act, allPosts, postsIn, remindersIn, sendPost });
}

/** The appointment posts (RdErl. Nr. 3) stored: drafts and sent ones. */
export const appointmentDrafts = (suite: GraphBotSuite) =>
  suite.database.store<PostDoc>(CONTAINERS.posts).query<PostDoc>({ query: "SELECT * FROM c WHERE c.type = 'post' AND c.kind = 'appointment'" });

/**
 * Köln gets `newIb` as its IB, appointed on 1 December 2026: the demo directory with that change is imported (the file
 * preferred) at `now`, and the answers refreshed. Returns the directory imported.
 */
export async function appointNewKoelnIb(suite: GraphBotSuite, newIb: TeamsUser, now: Date): Promise<Directory> {
  const parsed = parseDirectory(readFileSync(path.join(__dirname, '..', '..', 'data', 'demo-directory.json'), 'utf8'));
  if (!parsed.ok) throw new Error('demo directory invalid');
  const koeln = parsed.directory.authorities.find((a) => a.code === 'koeln')!;
  koeln.commissioner = { ...koeln.commissioner!, id: 'koeln-ib-neu', name: newIb.name, appointedOn: '2026-12-01', teams: { upn: 'nina.neu@bezreg-koeln.example', aadObjectId: newIb.aadObjectId } };
  const repo = new DirectoryRepository(suite.database.store<DirectoryDoc>(CONTAINERS.directory), new AuditLog(suite.database.store<AuditEntry>(CONTAINERS.audit)));
  await repo.importDirectory(parsed.directory, 'test', now, { preferFile: true });
  await suite.app.answers.refresh(true);
  return parsed.directory;
}
