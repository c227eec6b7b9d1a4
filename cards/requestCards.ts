import formTemplate from './templates/requestForm.json';
import reportTemplate from './templates/reportForm.json';
import itemTemplate from './templates/item.json';
import listTemplate from './templates/itemList.json';
import { titleFitsBesideTags } from '../services/text/buttonWidth';
import { defineCard } from './defineCard';

export interface Choice {
  title: string;
  value: string;
}

/** The fields of the Anliegen form that can show a problem at the field. */
export type RequestFormField = 'authority' | 'category' | 'subject' | 'description' | 'deadline' | 'department' | 'measure' | 'plannedDate';

export interface RequestFormCardData {
  lang: string;
  /**
   * 'kind': the first step, only the kind of request (so that the form then asks only what that kind needs);
   * 'form': the form for the chosen kind.
   */
  step: 'kind' | 'form';
  /** The kind is Beteiligung: the department, measure and planned date are asked for (required). */
  beteiligung: boolean;
  heading: string;
  intro: string;
  privacy: string;
  /** Why the last submission was not accepted ('' for none). */
  status: string;
  authorities: Choice[];
  categories: Choice[];
  values: Record<RequestFormField, string>;
  /** The server's problem with each field, one sentence at the field ('' for none). */
  errors: Record<RequestFormField, string>;
  labels: {
    authority: string; category: string; kindQuestion: string; subject: string; description: string; deadline: string; measureHeading: string; measureHint: string;
    department: string; measure: string; plannedDate: string; next: string; submit: string;
    /** The sentence Teams shows at a required field left empty. */
    missing: Record<'authority' | 'category' | 'subject' | 'description' | 'department' | 'measure' | 'plannedDate', string>;
  };
}

/** The form for a new Anliegen to the IB: first the kind, then what that kind needs. */
export const requestFormCard = defineCard<RequestFormCardData>(formTemplate);

/** The fields of the Vortrag form that can show a problem at the field. */
export type ReportFormField = 'subject' | 'summary' | 'urgency' | 'proposedDates';

export interface ReportFormCardData {
  lang: string;
  heading: string;
  intro: string;
  status: string;
  /** "Zum Anliegen …" when the report carries a request, else ''. */
  linkedText: string;
  authority: string;
  linkedRequestId: string;
  urgencies: Choice[];
  values: Record<ReportFormField, string>;
  /** The server's problem with each field, one sentence at the field ('' for none). */
  errors: Record<ReportFormField, string>;
  labels: { subject: string; summary: string; urgency: string; proposedDates: string; submit: string; missing: Record<'subject' | 'summary', string> };
}

/** The IB's form for a Vortrag to the authority head. */
export const reportFormCard = defineCard<ReportFormCardData>(reportTemplate);

/** An input inside an action's own input area (Action.ShowCard); `id` is what the verb's handler reads. */
export interface ItemField {
  id: string;
  kind: 'text' | 'date' | 'time';
  label: string;
  required: boolean;
  /** Shown at the field when a required value is missing: one sentence. */
  errorMessage: string;
  /** What the viewer typed, when a refused action brings the card back ('' otherwise). */
  value: string;
  /** Why the server refused what was typed here, one sentence shown under the input ('' for none). */
  error: string;
}

/**
 * An action on the item card. Without fields it is one `Action.Execute`; with fields it opens its own input area
 * (`Action.ShowCard`) holding only those fields and its own `Action.Execute` labelled `submit`, so text typed for one
 * action is never sent by, or lost to, another. `data` is echoed back and re-checked by the handler.
 */
export interface ItemAction {
  title: string;
  verb: string;
  /** 'primary': a visible button (at most two per card); 'secondary': in the overflow menu ("…"). */
  mode: 'primary' | 'secondary';
  style: 'default' | 'positive' | 'destructive';
  fields: ItemField[];
  /** The label of the send button inside the input area ('' without fields). */
  submit: string;
  data: Record<string, string | number>;
}

export interface ItemCardData {
  lang: string;
  id: string;
  authority: string;
  /** Who gets their own view when Teams shows the card (Universal Actions, at most 60). */
  refreshUserIds: string[];
  /** "Anliegen an die IB · Bezirksregierung Köln": what kind of item, small above the title. */
  kindLine: string;
  /** The title. */
  subject: string;
  /** Beside the title: urgency and deadline ("Eilig", "Frist 04.12.2026"). */
  tags: { text: string; color: 'default' | 'attention' | 'warning' }[];
  /**
   * The tags below the title instead of beside it, where a word of the title would otherwise be broken at 328 px
   * (set by `itemCard` from the title and the tags; a value given here is ignored).
   */
  tagsBelow?: boolean;
  /** "Status: <label>" (the bench reads it: bench/actions.ts `productActionFailure`). */
  statusLine: string;
  /** What this viewer has to do next, in one sentence. */
  nextStep: string;
  /** The IB's line whether their report reached the head ('' for none). */
  reachText: string;
  reachColor: 'good' | 'attention';
  notice: string;
  noticeStyle: 'default' | 'good' | 'attention' | 'warning';
  /** The message this viewer has to respond to, prominent under the status (text '' for none). */
  callout: { heading: string; text: string };
  decisionText: string;
  body: string;
  facts: { label: string; value: string }[];
  messagesHeading: string;
  messages: { heading: string; text: string }[];
  /**
   * A first button on its own row, when it and the other buttons would not fit side by side on a phone (328 px):
   * at most one, an action without inputs.
   */
  lead: ItemAction[];
  actions: ItemAction[];
  labels: { refresh: string };
}

/** A request or report as one viewer sees it (their own buttons only). */
const itemTemplateCard = defineCard<ItemCardData & { tagsBelow: boolean }>(itemTemplate);
/** The item card; the title row is laid out here, from the title and its tags (services/text/buttonWidth.ts). */
export const itemCard = (data: ItemCardData) => itemTemplateCard({ ...data, tagsBelow: !titleFitsBesideTags(data.subject, data.tags.map((t) => t.text)) });

export interface ItemListCardData {
  lang: string;
  heading: string;
  intro: string;
  openLabel: string;
  items: { title: string; subtitle: string; id: string; authority: string; openLabel: string }[];
}

/** "Meine Anliegen", "Offene Vorgänge", "Vorträge". */
export const itemListCard = defineCard<ItemListCardData>(listTemplate);
