/**
 * What the Koordinierungskreis shows: the card posted to the circle (one activity for all recipients, in German, the
 * authorities' working language; each member's client refreshes it into their own view and language), and the cards
 * each viewer sees. The card templates and their wording live in cards/circleViews.ts.
 */
import { CIRCLE_TEXTS, renderMeetingCard, renderPollCard } from '../../cards/circleViews';
import type { OutgoingActivity } from '../notifications/model';
import type { MeetingView, PollView } from './model';

/** Teams user ids (29:…) of the people whose clients refresh a posted card into their own view. */
export type RefreshIds = (people: Array<{ aadObjectId: string }>) => Promise<string[]>;

/** The poll card as posted to the circle. */
export async function postedPoll(view: PollView, refreshIds: RefreshIds): Promise<OutgoingActivity> {
  const attachment = renderPollCard(view, 'de', { refreshUserIds: await refreshIds(view.members) });
  return { type: 'message', summary: CIRCLE_TEXTS.de.pollHeading(view.poll.title), attachments: [attachment] };
}

/** The meeting card as posted to the circle. */
export async function postedMeeting(view: MeetingView, refreshIds: RefreshIds): Promise<OutgoingActivity> {
  const attachment = renderMeetingCard(view, 'de', { refreshUserIds: await refreshIds(view.members) });
  return { type: 'message', summary: CIRCLE_TEXTS.de.meetingHeading(view.meeting.title), attachments: [attachment] };
}
