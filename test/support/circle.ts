import type { ConnectorCall, ChannelEmulator } from './channelEmulator';
import { user, type TeamsUser } from './activities';

/** People of the demo directory (fictitious) in the Koordinierungskreis. */
export const KFI_LEAD = user({ name: 'Karla Koordinata (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000600000001' });
export const KOELN_IB = user({ name: 'Sabine Schmitz (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000001' });
export const KOELN_HEAD = user({ name: 'Regierungspräsident Köln (Beispiel)', aadObjectId: '00000000-0000-4000-8000-000400000003' });

/** A guest for the circle, e.g. to grow it to 50 members. */
export function guest(i: number): TeamsUser {
  const hex = (0x700000000000 + i).toString(16).padStart(12, '0');
  return user({ name: `Gast ${i} (Beispiel)`, aadObjectId: `00000000-0000-4000-8000-${hex}` });
}

/** Messages the channel accepted (posts and posts made while creating a 1:1 chat), per conversation. */
export function acceptedPosts(emulator: ChannelEmulator, afterSeq = 0, only: (call: ConnectorCall) => boolean = () => true): Map<string, ConnectorCall[]> {
  const out = new Map<string, ConnectorCall[]>();
  for (const c of emulator.calls) {
    if (c.seq <= afterSeq || !only(c)) continue;
    const posted = (c.operation === 'send' && c.status < 300) || (c.operation === 'createConversation' && c.status < 300 && c.createdActivityId !== undefined);
    if (!posted || !c.conversationId) continue;
    out.set(c.conversationId, [...(out.get(c.conversationId) ?? []), c]);
  }
  return out;
}

/**
 * Not another feature's message: the directory's confirmation prompts to the IB (a daily job) also go out when a test
 * moves the clock on by months.
 */
export const notDirectoryPrompt = (c: ConnectorCall): boolean => !JSON.stringify(c.activity ?? c.body ?? null).includes('"verb":"directory.');

/** Polls until `check` holds. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Card updates the channel accepted after `afterSeq`. */
export function acceptedUpdates(emulator: ChannelEmulator, afterSeq = 0): number {
  return emulator.calls.filter((c) => c.seq > afterSeq && c.operation === 'update' && c.status < 300).length;
}

/** The sequence number of the last call so far (a watermark: the emulator keeps what was posted for later updates). */
export function lastSeq(emulator: ChannelEmulator): number {
  return emulator.calls.at(-1)?.seq ?? 0;
}

/** The value of a successful workflow outcome; fails the test with the refusal otherwise. */
export function ok<T>(result: { ok: true; value: T } | { ok: false; code: string }): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  return result.value;
}
