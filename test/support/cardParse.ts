// The adaptivecards package's `main` is broken ESM under Node/jest; its UMD build works (stack-notes).
import * as AC from 'adaptivecards/dist/adaptivecards.js';

export interface CardProblems {
  parseErrors: string[];
  unboundExpressions: string[];
  inputsWithoutLabel: string[];
  executeVerbs: string[];
}

function walk(node: unknown, visit: (obj: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    Object.values(node as Record<string, unknown>).forEach((v) => walk(v, visit));
  }
}

function hasPeoplePicker(content: unknown): boolean {
  let found = false;
  walk(content, (obj) => {
    const data = obj['choices.data'] as { type?: unknown; dataset?: unknown } | undefined;
    if (obj.type === 'Input.ChoiceSet' && data?.type === 'Data.Query' && data.dataset === 'graph.microsoft.com/users') found = true;
  });
  return found;
}

/**
 * Checks an expanded card the way Teams' renderer would: it parses with the Adaptive Cards SDK at
 * schema 1.5 without warnings, has no `${…}` left, labels every input, and lists its Action.Execute verbs.
 */
export function checkCard(content: Record<string, unknown>, hostConfig?: Record<string, unknown>): CardProblems {
  // The SDK checks `lang` with a global (/g) regex whose lastIndex survives between calls, so every
  // second parse of a valid "de"/"en" fails. Reset it so each card is judged on its own.
  const langRegex = (AC.CardElement as unknown as { langProperty?: { regEx?: RegExp } }).langProperty?.regEx;
  if (langRegex) langRegex.lastIndex = 0;
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  if (hostConfig) card.hostConfig = new AC.HostConfig(hostConfig);
  card.parse(content, context);
  let parseErrors: string[] = [];
  for (let i = 0; i < context.eventCount; i++) parseErrors.push(context.getEventAt(i).message);
  // The SDK's validation counts every action of a set against `maxActions`, but its renderer, like Teams, shows only the
  // primary ones and puts `mode: "secondary"` actions in the overflow menu ("…"): Teams shows up to six primary actions,
  // secondary ones are not counted (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format#adaptive-cards-overflow-menu).
  // So the SDK's message is replaced by the same check on the primary actions alone.
  const maxActions = card.hostConfig.actions.maxActions;
  const tooMany = AC.Strings.errors.tooManyActions(maxActions);
  for (const e of card.validateProperties().validationEvents) if (e.message !== tooMany) parseErrors.push(e.message);
  walk(content, (obj) => {
    const actions = obj.type === 'AdaptiveCard' || obj.type === 'ActionSet' ? obj.actions : undefined;
    if (!Array.isArray(actions)) return;
    const primary = actions.filter((a) => String((a as { mode?: unknown }).mode ?? 'primary').toLowerCase() !== 'secondary');
    if (primary.length > maxActions) parseErrors.push(tooMany);
  });
  // Teams' people picker (an Input.ChoiceSet whose `choices.data` queries the organisation's users) is a Teams
  // extension that Teams renders in 1.5 cards; the generic SDK calls `choices.data` a 1.6 property and wants a static
  // choice. Exactly those two messages are expected for such a picker, and nothing else is excused.
  if (hasPeoplePicker(content)) {
    const excused = ['Property "choices.data" is supported in version 1.6, but you are using version 1.5.', 'An Input.ChoiceSet must have at least one choice defined.'];
    parseErrors = parseErrors.filter((m) => !excused.includes(m));
  }
  const unboundExpressions: string[] = [];
  const inputsWithoutLabel: string[] = [];
  const executeVerbs: string[] = [];
  walk(content, (obj) => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string' && v.includes('${')) unboundExpressions.push(`${k}: ${v.slice(0, 60)}`);
    }
    if (typeof obj.type === 'string' && obj.type.startsWith('Input.') && !(typeof obj.label === 'string' && obj.label.trim())) {
      inputsWithoutLabel.push(String(obj.id));
    }
    if (obj.type === 'Action.Execute') executeVerbs.push(String(obj.verb));
  });
  return { parseErrors, unboundExpressions, inputsWithoutLabel, executeVerbs };
}

/** The value of the card input with this id (wherever it sits, also inside an Action.ShowCard). */
export function inputValue(card: unknown, id: string): unknown {
  let found: unknown;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.id === id && typeof o.type === 'string' && o.type.startsWith('Input.')) found = o.value;
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found;
}
