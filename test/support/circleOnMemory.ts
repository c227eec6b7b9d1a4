import { readFileSync } from 'node:fs';
import { CircleService, type CircleServiceDeps } from '../../services/circle/circleService';
import type { CircleDoc, MeetingDoc } from '../../services/circle/model';
import { parseDirectory } from '../../services/directory/validate';
import { silentLogger } from '../../services/logging';
import type { DeliveryDoc, NotificationDoc, OutboxDoc } from '../../services/notifications/model';
import { Outbox } from '../../services/notifications/outbox';
import { dataFile } from '../../services/paths';
import { Scheduler, type JobDoc } from '../../services/scheduling/scheduler';
import type { Versioned } from '../../services/storage/documentStore';
import type { PendingCarrier } from '../../services/workflow/pending';
import { MemoryDocumentStore } from './memoryDocumentStore';

const parsed = parseDirectory(readFileSync(dataFile('demo-directory.json'), 'utf8'));
if (!parsed.ok) throw new Error('demo directory invalid');
/** The demo directory. */
export const demoDirectory = parsed.directory;

/** What a test may set of the circle service's dependencies; the rest are memory stores and the demo directory. */
export type CircleOnMemoryOptions = Partial<Pick<CircleServiceDeps, 'logger' | 'graph' | 'meetingMailbox' | 'profiles' | 'elapsedMs'>> & { now: () => Date };

/**
 * The circle service on memory stores with the demo directory, the relay's kicks recorded, and a `relay()` that hands
 * the notices over as the relay does: each written document's notices not yet relayed, in order, until nothing is left
 * (a write made while relaying, such as the join link's, is relayed in turn). A failing delivery leaves its notices to
 * the next call.
 */
export function circleOnMemory(options: CircleOnMemoryOptions) {
  const store = new MemoryDocumentStore<CircleDoc>('circle');
  const outboxStore = new MemoryDocumentStore<OutboxDoc>('outbox');
  const jobs = new MemoryDocumentStore<JobDoc>('jobs');
  const kicked: Array<Versioned<PendingCarrier>> = [];
  const relayed = new Set<string>();
  const service = new CircleService({
    store,
    directory: () => demoDirectory,
    outbox: new Outbox(outboxStore),
    scheduler: new Scheduler(jobs),
    relay: { kick: (_source, doc) => void kicked.push(doc), relayed: (key) => relayed.has(key) },
    profiles: options.profiles ?? { langOf: async () => 'de', refreshIds: async () => [] },
    icsUrl: (t) => `https://lotse.example/kalender/${t}`,
    logger: options.logger ?? silentLogger,
    now: options.now,
    ...(options.graph ? { graph: options.graph } : {}),
    ...(options.meetingMailbox ? { meetingMailbox: options.meetingMailbox } : {}),
    ...(options.elapsedMs ? { elapsedMs: options.elapsedMs } : {}),
  });
  const relay = async () => {
    const source = service.relaySource();
    while (kicked.length) {
      const doc = kicked.shift()!;
      const notices = (doc.pending ?? []).filter((n) => !relayed.has(n.key));
      if (notices.length) await source.deliver(doc as Versioned<CircleDoc>, notices);
      for (const n of notices) relayed.add(n.key);
    }
  };
  const notification = async (key: string) =>
    (await outboxStore.query<NotificationDoc>({ query: 'SELECT * FROM c WHERE c.kind = "notification" AND c.key = @k', parameters: [{ name: '@k', value: key }] }))[0];
  /** The attachments of a meeting's announcement, as JSON (undefined while it was not enqueued). */
  const announcement = async (meetingId: string) => JSON.stringify((await notification(`circle:meeting:${meetingId}:announce`))?.activity.attachments);
  const deliveries = (key: string) => outboxStore.query<DeliveryDoc>({ query: 'SELECT * FROM c WHERE c.kind = "delivery" AND c.notificationKey = @k', parameters: [{ name: '@k', value: key }] });
  const stored = async (id: string) => (await store.read(id, 'meeting')) as MeetingDoc;
  return { service, store, outboxStore, jobs, kicked, relay, notification, announcement, deliveries, stored };
}
