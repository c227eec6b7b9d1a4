/**
 * A file the IB sent to the bot in the personal chat as the paper the head asked for (issue 17, "Schriftlich
 * vorlegen"): the card that asks which Vortrag it belongs to. Only Vorträge waiting for this person's paper are offered
 * (`RequestService.papersAwaitedFrom`); the confirmation (`report.handInFile`) is checked again from stored data.
 */
import type { CardAttachment } from '../../cards/defineCard';
import { paperFileCard } from '../../cards/paperFileCard';
import { cardText } from '../text/escape';
import type { Lang } from '../workflow/texts';
import type { ItemDoc } from './model';
import { REQUEST_TEXTS } from './texts';

/** The verb of the card's button: hand the file in as the chosen Vortrag's paper. */
export const HAND_IN_FILE_VERB = 'report.handInFile';

/** The value a Vortrag has on the card: `authority|id|rev` (the revision makes an old card stale, not wrong). */
export function paperChoice(item: Pick<ItemDoc, 'authority' | 'id' | 'rev'>): string {
  return `${item.authority}|${item.id}|${item.rev}`;
}

/** The Vortrag a card's choice names, or undefined when it is not one (checked again against the stored item). */
export function parsePaperChoice(value: string): { authority: string; id: string; rev: number } | undefined {
  const m = /^([a-z]{2,20})\|([A-Za-z0-9-]{1,100})\|(\d{1,7})$/.exec(value);
  return m ? { authority: m[1], id: m[2], rev: Number(m[3]) } : undefined;
}

/** "Als Vorlage zu „<Betreff>“ einreichen?", or with several Vorträge the choice of one (the oldest preselected). */
export function renderPaperFileCard(lang: Lang, file: { id: string; name: string }, items: ReadonlyArray<Pick<ItemDoc, 'authority' | 'id' | 'rev' | 'subject'>>, retentionDays: number): CardAttachment {
  const t = REQUEST_TEXTS[lang].paperFile;
  const choose = items.length > 1;
  return paperFileCard({
    lang,
    heading: t.heading,
    question: choose ? t.chooseQuestion : t.question(cardText(items[0].subject)),
    fileLabel: t.fileLabel,
    fileName: cardText(file.name),
    choose,
    chooseLabel: t.chooseLabel,
    chooseMissing: t.chooseMissing,
    firstChoice: paperChoice(items[0]),
    choices: items.map((i) => ({ title: i.subject, value: paperChoice(i) })),
    hint: t.hint(retentionDays),
    confirmLabel: t.confirm,
    file: file.id,
  });
}
