import type { Intent } from './intents';
import type { CompiledKnowledge } from './knowledge';
import type { Understood } from './reader';

/** The intent chosen for a question and the knowledge entry (or text) that answers it. */
export interface Decision {
  intent: Intent;
  entry: string;
}

// Tie-break order: the more specific intent wins an equal score.
const PRIORITY: readonly Intent[] = [
  'report.create',
  'circle.next_meeting',
  'request.create',
  'contact.deputy',
  'contact.kfi',
  'contact.ki',
  'info.organisation',
  'info.requirements',
  'info.appointment',
  'info.effective_date',
  'info.legal_basis',
  'info.circle',
  'info.tasks',
  'contact.commissioner',
  'help',
  'out_of_scope',
];

const MIN_SCORE = 2.5;

/** Indices of the knowledge-base concepts the rules refer to (the file must define them: ENGINE_CONCEPTS). */
interface Concepts {
  ib: number;
  integration: number;
  who: number;
  kfi: number;
  circle: number;
  kiCentre: number;
  kiCentreCue: number;
  ai: number;
  aiUsage: number;
  funding: number;
  help: number;
  greeting: number;
  thanks: number;
  immigration: number;
  individual: number;
  isb: number;
  inclusion: number;
  otherRole: number;
  genericOos: number;
  head: number;
  wish: number;
  report: number;
  organisation: number;
}

/**
 * Chooses the intent: weighted triggers from the knowledge base, then the rules a table cannot express
 * (the two meanings of "KI", officers that are not the IB, residence-law cases, places outside NRW, and
 * how much a named place argues for a contact answer).
 */
export class IntentClassifier {
  private readonly c: Concepts;
  // Triggers by their first part: only concepts that occur can complete a trigger.
  private readonly triggersByFirst = new Map<number, Array<{ entry: number; parts: readonly number[]; weight: number }>>();

  constructor(private readonly kb: CompiledKnowledge) {
    kb.entries.forEach((ce, entry) => {
      for (const t of ce.triggers) {
        const list = this.triggersByFirst.get(t.parts[0]);
        const trigger = { entry, parts: t.parts, weight: t.weight };
        if (list) list.push(trigger);
        else this.triggersByFirst.set(t.parts[0], [trigger]);
      }
    });
    const k = (name: string): number => kb.concept(name);
    this.c = {
      ib: k('ib'),
      integration: k('integration'),
      who: k('who'),
      kfi: k('kfi'),
      circle: k('circle'),
      kiCentre: k('ki_centre'),
      kiCentreCue: k('ki_centre_cue'),
      ai: k('ai'),
      aiUsage: k('ai_usage'),
      funding: k('funding'),
      help: k('help'),
      greeting: k('greeting'),
      thanks: k('thanks'),
      immigration: k('immigration_case'),
      individual: k('individual'),
      isb: k('isb'),
      inclusion: k('inclusion'),
      otherRole: k('other_role'),
      genericOos: k('generic_oos'),
      head: k('head'),
      wish: k('wish'),
      report: k('report'),
      organisation: k('organisation'),
    };
  }

  /** The trigger score of every knowledge entry that has evidence in the question, best first. */
  scores(u: Understood): Array<{ entry: string; intent: Intent; score: number }> {
    return this.kb.entries
      .map((ce) => ({
        entry: ce.entry.id,
        intent: ce.entry.intent,
        score: ce.triggers.reduce((sum, t) => (t.parts.every((p) => u.match.has(p)) ? sum + t.weight : sum), 0),
      }))
      .filter((x) => x.score !== 0)
      .sort((a, b) => b.score - a.score);
  }

  classify(u: Understood): Decision {
    const c = this.c;
    const has = (i: number): boolean => i >= 0 && u.match.has(i);
    const entryScores = new Float64Array(this.kb.entries.length);
    for (const concept of u.match.found()) {
      for (const t of this.triggersByFirst.get(concept) ?? []) {
        let all = true;
        for (let k = 1; k < t.parts.length && all; k++) all = u.match.has(t.parts[k]);
        if (all) entryScores[t.entry] += t.weight;
      }
    }
    const scores = new Map<Intent, { score: number; entry: string }>();
    this.kb.entries.forEach((ce, i) => {
      const s = entryScores[i];
      const cur = scores.get(ce.entry.intent);
      if (s > 0 && (!cur || s > cur.score)) scores.set(ce.entry.intent, { score: s, entry: ce.entry.id });
    });
    const add = (intent: Intent, delta: number, entry: string = intent): void => {
      const cur = scores.get(intent);
      scores.set(intent, { score: (cur?.score ?? 0) + delta, entry: cur?.entry ?? entry });
    };
    const score = (intent: Intent): number => scores.get(intent)?.score ?? 0;
    const oos = (entry: string): { intent: Intent; entry: string } => ({ intent: 'out_of_scope', entry });

    const hasNrwPlace = u.place !== null;
    const domain = has(c.ib) || has(c.kfi) || has(c.circle) || has(c.kiCentre);

    // "KI" is the (neuter) Kommunales Integrationszentrum or the (feminine) Künstliche Intelligenz:
    // "das/welches KI in Unna" is the centre, "die KI nutzen" or "ChatGPT" is AI, which is out of scope.
    if (u.ts.keys.includes('ki')) {
      const centre = has(c.kiCentreCue) || hasNrwPlace;
      if (has(c.ai) || (has(c.aiUsage) && !centre)) return oos('oos.ai');
      add('contact.ki', centre || has(c.integration) || has(c.funding) ? 5 : 3);
    } else if (has(c.ai) && !domain) {
      return oos('oos.ai');
    }

    // Other officers share the "-beauftragte" ending but are not the IB.
    if ((has(c.isb) || has(c.inclusion) || has(c.otherRole)) && !has(c.ib) && !has(c.integration)) {
      return oos(has(c.isb) ? 'oos.isb' : has(c.inclusion) ? 'oos.inclusion' : 'oos.other_role');
    }
    // Individual residence-law cases belong to the local Ausländerbehörde, never to the IB.
    if (has(c.immigration) && (!has(c.ib) || has(c.individual)) && !has(c.kfi) && !has(c.circle)) return oos('oos.immigration');
    if (has(c.genericOos) && !domain && !has(c.integration)) return oos('oos.generic');
    if (u.outside && !hasNrwPlace && !u.mention && !(u.region && u.region.authority)) return oos('outside');
    if (u.unknownPlace && !hasNrwPlace && !u.mention && !u.region) return oos('unknownPlace');
    if (has(c.head) && !has(c.ib) && !has(c.report) && !has(c.organisation) && !has(c.wish) && (u.mention || hasNrwPlace || has(c.who))) {
      return oos('head');
    }

    const located = hasNrwPlace || u.mention !== null || u.region !== null;
    if (located) {
      add('contact.commissioner', 2.5);
      add('contact.deputy', 0.5);
    }
    if (hasNrwPlace) add('contact.ki', has(c.kiCentre) ? 1 : 0);
    // Funding of the KI is the KfI's business, not the KI's.
    if (has(c.funding) && score('contact.ki') > 0) add('contact.kfi', 1);

    let best: Intent | null = null;
    let bestScore = -Infinity;
    for (const intent of PRIORITY) {
      const s = score(intent);
      if (s > bestScore) {
        best = intent;
        bestScore = s;
      }
    }
    // A bare keyword ("IB", "Runderlass") carries less evidence than a sentence but is all there is.
    const minScore = u.ts.keys.length <= 2 ? MIN_SCORE - 0.5 : MIN_SCORE;
    if (best && bestScore >= minScore) {
      // A place alone does not make "Wer ist für Baugenehmigungen in Marl zuständig?" an integration question;
      // asking for the authority itself ("Bei welcher Bezirksregierung liegt Velbert?") does.
      const asked = score('contact.commissioner') - (located ? 2.5 : 0);
      if (best === 'contact.commissioner' && !has(c.ib) && !has(c.integration) && asked < 3 && u.unexplained > 0) return oos('oos.generic');
      if (best === 'help' && has(c.thanks) && !has(c.help)) return { intent: 'help', entry: 'thanks' };
      return { intent: best, entry: scores.get(best)!.entry };
    }
    if (located && u.unexplained === 0) return { intent: 'contact.commissioner', entry: 'contact.commissioner' };
    if (has(c.thanks)) return { intent: 'help', entry: 'thanks' };
    if (has(c.help) || has(c.greeting)) return { intent: 'help', entry: 'help' };
    return oos('oos.generic');
  }

  // ---------------------------------------------------------------- composing
}
