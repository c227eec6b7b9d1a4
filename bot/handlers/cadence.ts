/**
 * The Koordinierungskreis' cadence in Teams: the KfI's draft card has two verbs, `circle.cadence.confirm`, which a KfI
 * member clicks to send the prepared date poll or invitation to the circle, and `circle.cadence.discard` (not sent). Who may confirm is decided by the service
 * from the stored directory; the card's data names only the date. Settings are made in the personal tab
 * (bot/tab/cadenceRoutes.ts).
 */
import { z } from 'zod';
import { renderCadenceDraftCard } from '../../cards/cadenceCard';
import { CADENCE_TEXTS } from '../../services/circle/cadenceTexts';
import { formatBerlin } from '../../services/common/berlinTime';
import { lapsedDay } from '../../cards/cadenceCard';
import { cardText } from '../../services/text/escape';
import type { CadenceService, CadenceView } from '../../services/circle/cadenceService';
import type { Logger } from '../../services/logging';
import type { Lang } from '../../services/workflow/texts';
import { respond } from '../workflows/respond';
import type { CardVerb, Feature } from './types';

export const CADENCE_VERBS = { confirm: 'circle.cadence.confirm', discard: 'circle.cadence.discard' } as const;

const SCHEMA = z.object({ ruleDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).passthrough();

export interface CadenceFeatureDeps {
  service: CadenceService;
  logger: Logger;
}

/** "Bereits erledigt: … am … bestätigt und gesendet", "… verworfen" or "… verstrichen", for a click on a draft already decided. */
export function alreadyDone(view: CadenceView, lang: Lang): string {
  const t = CADENCE_TEXTS[lang];
  const d = view.draft;
  if (d?.status === 'lapsed' && view.cadence) return t.alreadyLapsed(lapsedDay(view.cadence, d, lang));
  return d?.status === 'discarded'
    ? t.alreadyDiscarded(cardText(view.discardedByName ?? 'KfI'), formatBerlin(new Date(d.discardedAt ?? 0), lang))
    : t.alreadyConfirmed(cardText(view.confirmedByName ?? 'KfI'), formatBerlin(new Date(d?.confirmedAt ?? 0), lang));
}

/** The cadence's card verbs (its job is registered with the circle's jobs). */
export function cadenceFeature(deps: CadenceFeatureDeps): Feature {
  // Confirm and discard differ only in the service call and the line said on success; refusals and old cards alike.
  const cadenceVerb = (
    verb: string,
    act: (actor: string, ruleDate: string) => ReturnType<CadenceFeatureDeps['service']['confirm']>,
    saved: (t: (typeof CADENCE_TEXTS)[Lang], view: CadenceView | undefined) => string,
  ): CardVerb<z.infer<typeof SCHEMA>> => ({
    verb,
    schema: SCHEMA,
    run: async (context, caller, data) => {
      const t = CADENCE_TEXTS[caller.lang];
      const result = await act(caller.aadObjectId, data.ruleDate);
      if (!result.ok && result.code === 'forbidden') deps.logger.warn({ event: 'circle.refused', verb, code: 'forbidden', activityId: context.activity.id }, 'cadence action refused');
      return respond<CadenceView>(result, caller.lang, {
        card: async (view, notice, style) => renderCadenceDraftCard(view, caller.lang, notice ? { status: notice, statusStyle: style === 'warning' ? 'attention' : style } : {}).content,
        saved: saved(t, result.ok ? result.value : undefined),
        stale: (view) => alreadyDone(view, caller.lang),
        refusalText: (r) => (r.code === 'forbidden' ? t.kfiOnly : r.code === 'not_found' ? t.notFound : undefined),
      });
    },
  });
  const confirm = cadenceVerb(CADENCE_VERBS.confirm, (a, d) => deps.service.confirm(a, d), (t, view) => (view?.cadence?.kind === 'meeting' ? t.sentMeeting : t.sentPoll));
  const discard = cadenceVerb(CADENCE_VERBS.discard, (a, d) => deps.service.discard(a, d), (t) => t.discarded);
  return { name: 'cadence', verbs: [confirm, discard] };
}
