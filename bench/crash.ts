import { track } from './childProcess';
import type { Figure } from './figure';
import { runCrashScenario } from '../test/support/crashHarness';

/**
 * `crash`: the real bot process is killed with SIGKILL 40 times at random moments while members of staff, IBs and
 * the KfI act on cards (Anliegen through all their steps, meetings and polls announced to the circle), restarted each
 * time on the same database; then counted from the receiving side (test/support/crashHarness.ts). `crash.lost` must
 * be 0; `crash.duplicates_per_kill` has the goal ≤ 0.05. The seed (`CRASH_SEED`) replays the run's choices; progress
 * and every lost or repeated notification go to stderr.
 */
export async function benchCrash(): Promise<Figure[]> {
  const kills = Number(process.env.CRASH_KILLS ?? 40);
  const latency = Number(process.env.CRASH_CHANNEL_LATENCY_MS ?? 20);
  // CRASH_READ_BACK=1: the bot with a managed identity and Graph's opt-in `chats` feature, reading chats back.
  const readBack = process.env.CRASH_READ_BACK === '1';
  const result = await runCrashScenario({
    kills,
    readBack,
    channelLatencyMs: latency,
    log: (line) => process.stderr.write(`${line}\n`),
    onSpawn: (child) => track(child),
  });
  for (const line of [...result.lostDetails.map((d) => `lost: ${d}`), ...result.duplicateDetails.map((d) => `duplicate: ${d}`), ...result.incompleteDetails.map((d) => `incomplete: ${d}`), ...result.rolledBackDetails.map((d) => `rolled back: ${d}`), ...result.outOfOrderDetails.map((d) => `out of order: ${d}`)]) {
    process.stderr.write(`crash ${line}\n`);
  }
  if (!result.idle) process.stderr.write(`crash: no idle signal within the timeout (${result.notIdle}); the figures describe the state then\n`);
  return [
    { name: 'crash.seed', value: result.seed, unit: 'seed' },
    { name: 'crash.kills', value: result.kills, unit: 'count' },
    { name: 'crash.lost', value: result.lost, unit: 'count' },
    { name: 'crash.duplicates', value: result.duplicates, unit: 'count' },
    { name: 'crash.duplicates_per_kill', value: result.kills ? result.duplicates / result.kills : 0, unit: 'ratio' },
    { name: 'crash.incomplete', value: result.incomplete, unit: 'count' },
    { name: 'crash.expected_notifications', value: result.expected, unit: 'count' },
    { name: 'crash.items', value: result.items, unit: 'count' },
    { name: 'crash.announcements', value: result.announcements, unit: 'count' },
    // Vorträge and their Termin (issue 17): registered, agreed, agreed after the IB's counter-proposal, IB cards left on
    // an older step that Teams refreshes when viewed, and reports whose head reach was never recorded (best effort).
    { name: 'crash.reports', value: result.reports, unit: 'count' },
    { name: 'crash.reports_agreed', value: result.reportsAgreed, unit: 'count' },
    { name: 'crash.reports_countered', value: result.reportsCountered, unit: 'count' },
    { name: 'crash.report_cards_refreshed_on_view', value: result.reportCardsRefreshedOnView, unit: 'count' },
    { name: 'crash.reports_without_head_reach', value: result.reportsWithoutHeadReach, unit: 'count' },
    // Cards that showed the agreed date and were then updated to an earlier step (an older update delivered after it).
    { name: 'crash.cards_rolled_back', value: result.rolledBackDetails.length, unit: 'count' },
    // Anliegen whose requester got all their status messages, but not in the order of the changes (first copies).
    { name: 'crash.messages_out_of_order', value: result.outOfOrderDetails.length, unit: 'count' },
    { name: 'crash.clicks', value: result.clicks, unit: 'count' },
    { name: 'crash.clicks_again', value: result.retries, unit: 'count' },
    { name: 'crash.uncertain_resends', value: result.uncertainResends, unit: 'count' },
    // Duplicates by where the kill found their earlier copy: still in Teams' hands (the call not answered yet), answered
    // but not recorded, or with no kill after it.
    { name: 'crash.duplicates_in_flight', value: result.duplicateOrigins.inFlight, unit: 'count' },
    { name: 'crash.duplicates_answered_unrecorded', value: result.duplicateOrigins.answered, unit: 'count' },
    { name: 'crash.duplicates_without_kill', value: result.duplicateOrigins.noKill, unit: 'count' },
    // Sends a killed process had made and not recorded, recorded by the next one from its send journal instead of repeated.
    { name: 'crash.recovered_from_journal', value: result.recoveredFromJournal, unit: 'count' },
    // Sends found in the person's chat through Graph and recorded instead of repeated (CRASH_READ_BACK=1 only).
    { name: 'crash.recovered_from_chat', value: result.recoveredFromChat, unit: 'count' },
    { name: 'crash.read_back', value: result.readBack ? 1 : 0, unit: 'flag' },
    { name: 'crash.idle_ms', value: result.idle ? result.idleMs : -1, unit: 'ms' },
    { name: 'crash.channel_latency_ms', value: latency, unit: 'ms' },
  ];
}
