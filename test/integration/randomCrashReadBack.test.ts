import { runCrashScenario, type CrashRunResult } from '../support/crashHarness';

/**
 * The same random SIGKILLs as randomCrash.test.ts, with the bot as deployed with Graph's opt-in `chats` feature
 * (issue 14): its identity a user-assigned managed identity, Teams' requests signed, Chat.Read.All granted. Before a
 * send whose earlier attempt has no recorded outcome goes out again, the bot looks in its chat with the person; so no
 * message arrives twice, and none is lost because an earlier one of the same content was taken for it.
 *
 * The seed is printed; `CRASH_SEED=<seed> npx jest test/integration/randomCrashReadBack.test.ts` replays its choices.
 */
describe('random SIGKILLs with the chat read back before an uncertain resend', () => {
  let result: CrashRunResult;

  beforeAll(async () => {
    result = await runCrashScenario({
      kills: 20,
      readBack: true,
      // eslint-disable-next-line no-console
      log: (line) => console.log(line),
    });
    // eslint-disable-next-line no-console
    console.log(
      `crash run (read-back): seed ${result.seed}, ${result.kills} kills, expected ${result.expected} notifications: lost ${result.lost}, duplicates ${result.duplicates}, ` +
        `found in the chat ${result.recoveredFromChat}, uncertain resends ${result.uncertainResends}; ${result.wallMs} ms in all`,
    );
  }, 170_000);

  it('kills the process at least 20 times while work is going on, and ends idle with a live process that stops cleanly', () => {
    expect({ seed: result.seed, kills: result.kills, readBack: result.readBack }).toEqual({ seed: result.seed, kills: 20, readBack: true });
    expect(result.expected).toBeGreaterThan(0);
    expect({ seed: result.seed, idle: result.idle, notIdle: result.notIdle }).toEqual({ seed: result.seed, idle: true, notIdle: '' });
    expect({ seed: result.seed, unexpectedAnswers: result.unexpectedAnswers }).toEqual({ seed: result.seed, unexpectedAnswers: [] });
    expect(result.finalExitCode).toBe(0);
  });

  it('found sends a killed process had made in the people\'s chats instead of repeating them', () => {
    expect({ seed: result.seed, foundInChat: result.recoveredFromChat > 0 }).toEqual({ seed: result.seed, foundInChat: true });
  });

  it('loses no notification and repeats none', () => {
    expect({ seed: result.seed, lost: result.lostDetails, incomplete: result.incompleteDetails }).toEqual({ seed: result.seed, lost: [], incomplete: [] });
    expect({ seed: result.seed, duplicates: result.duplicateDetails }).toEqual({ seed: result.seed, duplicates: [] });
  });
});
