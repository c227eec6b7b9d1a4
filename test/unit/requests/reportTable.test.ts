import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT_STATUSES, REPORT_TRANSITIONS, type ReportActor } from '../../../services/requests/model';
import { projectRoot } from '../../../services/paths';

/**
 * docs/workflows.md has the Vortrag's states, transitions and who may do what as one table for people; the model has
 * it as data (`REPORT_TRANSITIONS`, which `transition` follows). Both must say the same: a row changed on one side only
 * fails here.
 */
const doc = readFileSync(path.join(projectRoot, 'docs', 'workflows.md'), 'utf8');
const start = doc.indexOf('## Vortrag');
const end = doc.indexOf('\n## ', start + 1);
const section = doc.slice(start, end < 0 ? undefined : end);
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('|') && !l.startsWith('|---') && !l.startsWith('| state '))
  .map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));
const ticked = (cell: string) => [...cell.matchAll(/`([a-z_.A-Z]+)`/g)].map((m) => m[1]!);
const whoOf = (cell: string): ReportActor | undefined => (/^IB side/.test(cell) ? 'ibSide' : /^decider/.test(cell) ? 'decider' : undefined);

describe('the Vortrag table in docs/workflows.md', () => {
  const documented = rows
    .filter((r) => ticked(r[3] ?? '').some((v) => v.startsWith('report.')))
    .flatMap((r) => {
      const from = r[0] === '—' ? [null] : ticked(r[0]!);
      return from.map((f) => JSON.stringify({ from: f, verb: ticked(r[3]!)[0], who: whoOf(r[4]!), to: ticked(r[5]!)[0] }));
    });
  const modelled = REPORT_TRANSITIONS.flatMap((t) => t.from.map((f) => JSON.stringify({ from: f, verb: t.verb, who: t.who, to: t.to })));

  it('lists exactly the transitions of the model, with who may take each', () => {
    expect(documented.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...modelled].sort());
  });

  it('names every state of a Vortrag, and marks as closed exactly those no step leaves', () => {
    const named = new Set(rows.flatMap((r) => ticked(r[0] ?? '')));
    for (const status of REPORT_STATUSES) expect(named).toContain(status);
    const closedRow = rows.find((r) => r[2] === 'no')!;
    const left = new Set(REPORT_TRANSITIONS.flatMap((t) => t.from));
    expect(ticked(closedRow[0]!).sort()).toEqual(REPORT_STATUSES.filter((s) => !left.has(s)).sort());
  });
});

/**
 * The README has the same transitions compactly (issue 17: "states, transitions and who may do what are one table in
 * the README"): one row per state and side, each step as `verb` → `state`. It must say what the model says.
 */
describe('the Vortrag table in README.md', () => {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const from = readme.indexOf('| state | who may act |');
  const table = readme.slice(from, readme.indexOf('\n\n', from)).split('\n').slice(2);
  const cells = table.map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));

  it('lists exactly the transitions of the model, with who may take each', () => {
    const listed = cells.flatMap((r) => {
      const states = r[0] === '—' ? [null] : ticked(r[0]!);
      const who: ReportActor[] = [...(/decider/.test(r[1]!) ? ['decider' as const] : []), ...(/IB side/.test(r[1]!) ? ['ibSide' as const] : [])];
      const steps = [...r[2]!.matchAll(/`([a-zA-Z.]+)`[^`;]*→ `([a-z_]+)`/g)].map((m) => ({ verb: m[1]!, to: m[2]! }));
      return states.flatMap((f) => who.flatMap((w) => steps.map((st) => JSON.stringify({ from: f, verb: st.verb, who: w, to: st.to }))));
    });
    const modelled = REPORT_TRANSITIONS.flatMap((t) => t.from.map((f) => JSON.stringify({ from: f, verb: t.verb, who: t.who, to: t.to })));
    expect(listed.length).toBeGreaterThan(10);
    expect([...listed].sort()).toEqual([...modelled].sort());
  });

  it('names every state, and marks as closed exactly those no step leaves', () => {
    const named = new Set(cells.flatMap((r) => ticked(r[0] ?? '')));
    for (const status of REPORT_STATUSES) expect(named).toContain(status);
    const closed = cells.find((r) => /closed/.test(r[1]!))!;
    const left = new Set(REPORT_TRANSITIONS.flatMap((t) => t.from));
    expect(ticked(closed[0]!).sort()).toEqual(REPORT_STATUSES.filter((s) => !left.has(s)).sort());
  });
});
