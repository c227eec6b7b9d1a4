import { benchFanoutInstall, installMinimumSeconds, knownMinimumSeconds } from '../../bench/fanoutInstall';
import type { Figure } from '../../bench/figure';

/**
 * The `fanout` benchmark's part with proactive installation (issue 15), run small: its figures count what the Teams
 * stand-in received, and its minimum follows from Teams' and Graph's limits.
 */

jest.setTimeout(60_000);

const figure = (figures: Figure[], name: string): number => {
  const found = figures.find((f) => f.name === name);
  if (!found) throw new Error(`no figure ${name}`);
  return found.value;
};

describe('the fanout benchmark with proactive installation', () => {
  it('reaches 10 people with the app and installs it for 10 without: nothing lost, nothing twice', async () => {
    const figures = await benchFanoutInstall({ recipients: 20, withApp: 10 });
    expect(figure(figures, 'fanout.install.lost')).toBe(0);
    expect(figure(figures, 'fanout.install.duplicates')).toBe(0);
    expect(figure(figures, 'fanout.install.graph_installs')).toBe(10);
    // One refused createConversation per person without the app; then createConversation and send: 10 + 3 · 10 calls.
    expect(figure(figures, 'fanout.install.refused_403')).toBe(10);
    expect(figure(figures, 'fanout.install.teams_calls')).toBe(40);
    expect(figure(figures, 'fanout.install.minimum_seconds')).toBeCloseTo(40 / 30, 2);
  });

  it('counts the people without the app as lost when the app may not install itself', async () => {
    const figures = await benchFanoutInstall({ recipients: 20, withApp: 10, installPermission: false });
    expect(figure(figures, 'fanout.install.lost')).toBe(10);
    expect(figure(figures, 'fanout.install.graph_installs')).toBe(0);
  });

  it('takes the minimum from the tenant budget (refused call included) or the installation limit, whichever is longer', () => {
    expect(installMinimumSeconds(500, 500)).toBeCloseTo(2000 / 30, 6);
    expect(knownMinimumSeconds(500, 500)).toBeCloseTo(1500 / 30, 6);
    expect(installMinimumSeconds(1000, 0)).toBeCloseTo(1000 / 30, 6);
  });
});
