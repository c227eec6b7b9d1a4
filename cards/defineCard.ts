import { compileTemplate } from './templateBinder';

/** An Adaptive Card ready to send: the same shape as a Bot Framework attachment, without depending on botbuilder. */
export interface CardAttachment {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: Record<string, unknown>;
}

/** The Adaptive Card schema version Teams supports on all clients. */
export const CARD_VERSION = '1.5';

/**
 * Binds an Adaptive Card JSON template to typed data. The template is the designer-editable source;
 * `data` holds display-ready values (user text stays data: it is never parsed as template source). Display text
 * from users arrives escaped by the view builder (`cardText`, services/text/escape.ts); input prefills arrive as stored.
 * The template is compiled once, here, by the template binder (cards/templateBinder.ts: the same output as
 * adaptivecards-templating for the template language our templates use, without its expression evaluator on every
 * render; a template using anything else fails here, when its module loads).
 */
export function defineCard<TData extends object>(template: object): (data: TData) => CardAttachment {
  const bind = compileTemplate(template);
  return (data: TData): CardAttachment => ({
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: bind(data) as Record<string, unknown>,
  });
}

/**
 * Freezes a rendered card's content and everything in it, for cards rendered once and sent many times (the help
 * card): nothing can change it by accident, and the reply path may serialise it once (bot/delivery/replyPoster.ts).
 */
export function freezeCard<T>(content: T): T {
  if (content && typeof content === 'object' && !Object.isFrozen(content)) {
    Object.freeze(content);
    for (const v of Object.values(content as Record<string, unknown>)) freezeCard(v);
  }
  return content;
}
