import * as ACData from 'adaptivecards-templating';

/** An Adaptive Card ready to send: the same shape as a Bot Framework attachment, without depending on botbuilder. */
export interface CardAttachment {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: Record<string, unknown>;
}

/** The Adaptive Card schema version Teams supports on all clients. */
export const CARD_VERSION = '1.5';

/**
 * Binds an Adaptive Card JSON template to typed data. The template is the designer-editable source;
 * `data` holds display-ready values (user text stays data: it is never parsed as template source).
 */
export function defineCard<TData extends object>(template: object): (data: TData) => CardAttachment {
  const compiled = new ACData.Template(template);
  return (data: TData): CardAttachment => ({
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: compiled.expand({ $root: data }) as Record<string, unknown>,
  });
}
