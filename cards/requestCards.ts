import formTemplate from './templates/requestForm.json';
import reportTemplate from './templates/reportForm.json';
import itemTemplate from './templates/item.json';
import listTemplate from './templates/itemList.json';
import { defineCard } from './defineCard';

export interface Choice {
  title: string;
  value: string;
}

export interface RequestFormCardData {
  lang: string;
  heading: string;
  intro: string;
  privacy: string;
  /** Why the last submission was not accepted ('' for none). */
  status: string;
  authorities: Choice[];
  categories: Choice[];
  values: { authority: string; category: string; subject: string; description: string; deadline: string; department: string; measure: string; plannedDate: string };
  labels: {
    authority: string; category: string; subject: string; description: string; deadline: string; measureHeading: string;
    department: string; measure: string; plannedDate: string; submit: string; required: string;
  };
}

/** The form for a new Anliegen to the IB. */
export const requestFormCard = defineCard<RequestFormCardData>(formTemplate);

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
  values: { subject: string; summary: string; urgency: string; proposedDates: string };
  labels: { subject: string; summary: string; urgency: string; proposedDates: string; submit: string; required: string };
}

/** The IB's form for a Vortrag to the authority head. */
export const reportFormCard = defineCard<ReportFormCardData>(reportTemplate);

/** A button on the item card; `data` is echoed back and re-checked by the handler. */
export interface ItemAction {
  title: string;
  verb: string;
  /** 'auto' sends the card's inputs along, 'none' does not. */
  inputs: 'auto' | 'none';
  data: Record<string, string | number>;
}

export interface ItemCardData {
  lang: string;
  id: string;
  authority: string;
  /** Who gets their own view when Teams shows the card (Universal Actions, at most 60). */
  refreshUserIds: string[];
  heading: string;
  subject: string;
  statusLine: string;
  notice: string;
  noticeStyle: 'default' | 'good' | 'attention' | 'warning';
  facts: { label: string; value: string }[];
  body: string;
  messages: { heading: string; text: string }[];
  decisionText: string;
  showText: boolean;
  showDecision: boolean;
  /** What the viewer typed into the inputs, when a refused action brings the card back ('' otherwise). */
  values: { text: string; date: string; time: string };
  actions: ItemAction[];
  labels: { refresh: string; text: string; date: string; time: string };
}

/** A request or report as one viewer sees it (their own buttons only). */
export const itemCard = defineCard<ItemCardData>(itemTemplate);

export interface ItemListCardData {
  lang: string;
  heading: string;
  intro: string;
  openLabel: string;
  items: { title: string; subtitle: string; id: string; authority: string; openLabel: string }[];
}

/** "Meine Anliegen", "Offene Vorgänge", "Vorträge". */
export const itemListCard = defineCard<ItemListCardData>(listTemplate);
