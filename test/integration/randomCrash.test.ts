import { runCrashScenario, type CrashRunResult } from '../support/crashHarness';

/**
 * Crashes at moments nobody chose (issue 14): the real bot process is killed with SIGKILL at least 20 times at random
 * moments while members of staff submit Anliegen, IBs take them over, ask back and mark them done, requesters reply,
 * and the KfI announces meetings and polls to the Koordinierungskreis; each time a new process starts on the same
 * database. Checked from the receiving side (the channel emulator) against what the database says was committed.
 *
 * The seed is printed; `CRASH_SEED=<seed> npx jest test/integration/randomCrash.test.ts` replays its choices.
 */
describe('random SIGKILLs of the bot process while people act on cards and a fan-out runs', () => {
  let result: CrashRunResult;

  beforeAll(async () => {
    result = await runCrashScenario({
      kills: 20,
      // eslint-disable-next-line no-console
      log: (line) => console.log(line),
    });
    // eslint-disable-next-line no-console
    console.log(
      `crash run: seed ${result.seed}, ${result.kills} kills, ${result.items} Anliegen, ${result.reports} Vorträge (${result.reportsAgreed} agreed, ${result.reportsCountered} after a counter-proposal; ` +
        `${result.reportCardsRefreshedOnView} cards refreshed on view, ${result.reportsWithoutHeadReach} without head reach, ${result.rolledBackDetails.length} cards rolled back), ${result.announcements} announcements, ${result.clicks} clicks ` +
        `(${result.retries} again after a dead connection), expected ${result.expected} notifications: lost ${result.lost} (late cards refreshed on view: ${result.lateCardsRefreshedOnView}), duplicates ${result.duplicates}, ` +
        `incomplete ${result.incomplete}, messages out of order ${result.outOfOrderDetails.length}; idle ${result.idleMs} ms after the last restart; ${result.wallMs} ms in all`,
    );
    // eslint-disable-next-line no-console
    if (result.cardWaitsTimedOut.length) console.log(`crash run: IBs waited for a card in vain: ${result.cardWaitsTimedOut.join('; ')}`);
  }, 170_000);

  it('kills the process at least 20 times while work is going on, and ends with a live process that stops cleanly', () => {
    expect({ seed: result.seed, kills: result.kills }).toEqual({ seed: result.seed, kills: 20 });
    // Work was going on: Anliegen went through their steps and the circle got announcements.
    expect(result.items).toBeGreaterThan(0);
    expect(result.announcements).toBeGreaterThan(0);
    // …and Vorträge had their date agreed, some after the IB's counter-proposal.
    expect(result.reportsAgreed).toBeGreaterThan(0);
    // Some clicks died with a process and were made again.
    expect(result.retries).toBeGreaterThan(0);
    expect({ seed: result.seed, unexpectedAnswers: result.unexpectedAnswers }).toEqual({ seed: result.seed, unexpectedAnswers: [] });
    expect(result.cardErrors).toEqual([]);
    expect(result.finalExitCode).toBe(0);
  });

  it('reaches the idle signal: nothing open in the outbox, nothing pending in any document', () => {
    expect({ seed: result.seed, idle: result.idle, notIdle: result.notIdle }).toEqual({ seed: result.seed, idle: true, notIdle: '' });
  });

  it("records for every Vortrag whether its head was reached, also when the process that sent the card died first", () => {
    expect(result.reports).toBeGreaterThan(0);
    expect({ seed: result.seed, withoutHeadReach: result.reportsWithoutHeadReach }).toEqual({ seed: result.seed, withoutHeadReach: 0 });
  });

  it('stores every state change completely', () => {
    expect({ seed: result.seed, incomplete: result.incompleteDetails }).toEqual({ seed: result.seed, incomplete: [] });
  });

  it('loses no notification: every message, card and announcement a committed change owes arrived', () => {
    expect(result.expected).toBeGreaterThan(0);
    expect({ seed: result.seed, lost: result.lostDetails }).toEqual({ seed: result.seed, lost: [] });
  });

  it('leaves no card of an agreed Vortrag rolled back: no update of an earlier step arrives after the agreement\'s', () => {
    expect({ seed: result.seed, rolledBack: result.rolledBackDetails }).toEqual({ seed: result.seed, rolledBack: [] });
  });

  it('counts duplicates, each one a send repeated in the documented window (the goal of at most 0.05 per kill is the benchmark’s)', () => {
    // The count is the sum of what the itemised list shows.
    expect(result.duplicateDetails.length).toBeLessThanOrEqual(result.duplicates);
    expect(result.duplicates === 0).toBe(result.duplicateDetails.length === 0);
    // Each one is a send the outbox repeated after an attempt whose outcome it never recorded (the process died between
    // Teams accepting the message and the outbox recording it): nothing else sends a notification twice.
    expect({ seed: result.seed, duplicates: result.duplicates, withinUncertainResends: result.duplicates <= result.uncertainResends }).toEqual({
      seed: result.seed,
      duplicates: result.duplicates,
      withinUncertainResends: true,
    });
    // eslint-disable-next-line no-console
    console.log(`crash run: ${result.duplicates} duplicate(s), ${(result.duplicates / result.kills).toFixed(3)} per kill (the outbox counted ${result.uncertainResends} uncertain resend(s))${result.duplicates ? `: ${result.duplicateDetails.join('; ')}` : ''}`);
  });
});
