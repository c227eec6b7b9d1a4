/**
 * What the Koordinierungskreis shows: the card posted to the circle, and the cards each viewer sees. A posted card
 * goes out in the recipient's language: members reached personally get one activity per language (German, the
 * default, or English; card and notification summary alike), the designated channel gets the German one (the
 * authorities' working language, one post for everybody). Each member's client refreshes a posted card into their
 * own view (`refreshUserIds`). The card templates and their wording live in cards/circleViews.ts.
 */
import { CIRCLE_TEXTS, renderMeetingCard, renderPollCard } from '../../cards/circleViews';
import type { OutgoingActivity } from '../notifications/model';
import type { Lang } from '../workflow/texts';
import type { MeetingView, PollView } from './model';

/** Teams user ids (29:…) of the people whose clients refresh a posted card into their own view. */
export type RefreshIds = (people: Array<{ aadObjectId: string }>) => Promise<string[]>;

/** The poll card as posted, in `lang`, with the summary Teams shows in the notification. */
export function pollActivity(view: PollView, lang: Lang, refreshUserIds: string[]): OutgoingActivity {
  const attachment = renderPollCard(view, lang, { refreshUserIds });
  return { type: 'message', summary: CIRCLE_TEXTS[lang].pollHeading(view.poll.title), attachments: [attachment] };
}

/** The meeting card as posted, in `lang`, with the summary Teams shows in the notification. */
export function meetingActivity(view: MeetingView, lang: Lang, refreshUserIds: string[]): OutgoingActivity {
  const attachment = renderMeetingCard(view, lang, { refreshUserIds });
  return { type: 'message', summary: CIRCLE_TEXTS[lang].meetingHeading(view.meeting.title), attachments: [attachment] };
}

/** The poll card as posted to the circle (German unless `lang` says otherwise), e.g. for the KfI's preview. */
export async function postedPoll(view: PollView, refreshIds: RefreshIds, lang: Lang = 'de'): Promise<OutgoingActivity> {
  return pollActivity(view, lang, await refreshIds(view.members));
}

/** The meeting card as posted to the circle (German unless `lang` says otherwise), e.g. for the KfI's preview. */
export async function postedMeeting(view: MeetingView, refreshIds: RefreshIds, lang: Lang = 'de'): Promise<OutgoingActivity> {
  return meetingActivity(view, lang, await refreshIds(view.members));
}
