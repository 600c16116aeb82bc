import { CalendarMethod, ParticipationStatus, timestampFromDate, type EventInit, type Events } from '@mailbus/contracts';
import type { DeliveryDocument } from '../deliveries/delivery.document';
import type { MessageDocument } from '../messages/message.document';
import { toRoutingRuleProto, toUserFolderProto } from '../routing';

/** Everything the application needs to file an activity without calling back (issue: "without another call"). */
export function deliveredEvent({ delivery, message }: { delivery: DeliveryDocument; message: MessageDocument }): EventInit<typeof Events.messageDelivered> {
  const calendar = message.calendar;
  return {
    deliveryId: delivery._id,
    messageId: message._id,
    userId: delivery.userId,
    accountId: message.accountId,
    folder: toUserFolderProto(delivery.folder),
    rule: toRoutingRuleProto(delivery.rule),
    matchedAddress: delivery.matchedAddress,
    ...(message.from ? { from: message.from } : {}),
    to: message.to,
    cc: message.cc,
    subject: message.subject,
    ...(message.date ? { date: timestampFromDate(message.date) } : {}),
    spam: delivery.spam,
    threadId: message.threadId,
    attachments: message.attachments,
    ...(calendar
      ? {
          calendarInvitation: {
            method: calendarMethod(calendar.method),
            uid: calendar.uid,
            sequence: calendar.sequence,
            ...(calendar.start ? { start: timestampFromDate(new Date(calendar.start)) } : {}),
            ...(calendar.end ? { end: timestampFromDate(new Date(calendar.end)) } : {}),
            allDay: calendar.allDay,
            ...(calendar.organizer ? { organizer: calendar.organizer } : {}),
            attendees: calendar.attendees.map(({ address, partstat, rsvp }) => ({ address, participationStatus: participationStatus(partstat), rsvp })),
            summary: calendar.summary,
            location: calendar.location,
            recurrenceRule: calendar.rrule,
          },
        }
      : {}),
    ...(message.parseError ? { parseError: message.parseError } : {}),
    messageIdHeader: message.messageIdHeader ?? '',
    deliveredAt: timestampFromDate(delivery.deliveredAt),
  };
}

function calendarMethod(method: string): CalendarMethod {
  const value = CalendarMethod[method.toUpperCase() as keyof typeof CalendarMethod];
  return typeof value === 'number' ? value : CalendarMethod.UNSPECIFIED;
}

function participationStatus(partstat: string): ParticipationStatus {
  const value = ParticipationStatus[partstat.toUpperCase().replace(/-/g, '_') as keyof typeof ParticipationStatus];
  return typeof value === 'number' ? value : ParticipationStatus.UNSPECIFIED;
}
