import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  AccountChange,
  CalendarMethod,
  Events,
  FolderRole,
  MailErrorClass,
  MailProtocol,
  ParticipationStatus,
  RoutingRule,
  SendFailureKind,
  UserFolder,
  decodeEvent,
  encodeEvent,
  timestampFromDate,
  type EventInit,
} from './index';

const at = (iso: string) => timestampFromDate(new Date(iso));

const fetched: EventInit<typeof Events.messageFetched> = {
  fetchKey: 'a1/imap/INBOX/7/42',
  accountId: 'a1',
  protocol: MailProtocol.IMAP,
  folder: 'INBOX',
  folderRole: FolderRole.INBOX,
  uidValidity: 7,
  uid: 42,
  blobId: '665f1c2e9b1e8a0012345678',
  size: 2048,
  sha256: 'ab'.repeat(32),
  internalDate: at('2025-01-02T03:04:05Z'),
  fetchedAt: at('2025-01-02T03:04:06.5Z'),
  messageIdHeader: 'abc@example.com',
  flags: ['\\Seen'],
};

const delivered: EventInit<typeof Events.messageDelivered> = {
  deliveryId: 'm1/u1',
  messageId: 'm1',
  userId: 'u1',
  accountId: 'a1',
  folder: UserFolder.INBOX,
  rule: RoutingRule.RECIPIENT_ADDRESS,
  matchedAddress: 'jane@example.com',
  from: { address: 'bob@example.org', name: 'Bob Müller' },
  to: [{ address: 'jane@example.com', name: '' }],
  subject: 'Besichtigung',
  attachments: [{ index: 0, filename: 'invite.ics', contentType: 'text/calendar', size: 900, inline: false }],
  calendarInvitation: {
    method: CalendarMethod.REQUEST,
    uid: 'evt-1@example.org',
    sequence: 2,
    start: at('2025-03-01T09:00:00Z'),
    end: at('2025-03-01T10:00:00Z'),
    organizer: { address: 'bob@example.org', name: 'Bob' },
    attendees: [{ address: { address: 'jane@example.com', name: 'Jane' }, participationStatus: ParticipationStatus.NEEDS_ACTION, rsvp: true }],
    summary: 'Viewing',
  },
  parseError: 'truncated multipart body',
};

describe(encodeEvent.name, () => {
  it('should round-trip every field when a message.fetched is encoded and decoded', () => {
    const sut = decodeEvent(Events.messageFetched, encodeEvent(Events.messageFetched, fetched));
    expect(sut).toEqual(create(Events.messageFetched.schema, fetched));
    expect(sut.uid).toBe(42);
    expect(sut.fetchedAt?.nanos).toBe(500_000_000);
  });

  it('should round-trip nested attachments, calendar invitation and parse error when a message.delivered is encoded', () => {
    const sut = decodeEvent(Events.messageDelivered, encodeEvent(Events.messageDelivered, delivered));
    expect(sut).toEqual(create(Events.messageDelivered.schema, delivered));
    expect(sut.calendarInvitation?.attendees[0]?.participationStatus).toBe(ParticipationStatus.NEEDS_ACTION);
    expect(sut.parseError).toBe('truncated multipart body');
  });

  it('should keep enums, optional timestamps and repeated recipients when a send.failed is encoded', () => {
    const init: EventInit<typeof Events.sendFailed> = {
      outboxId: 'o1',
      accountId: 'a1',
      kind: SendFailureKind.RETRYING,
      errorClass: MailErrorClass.REJECTED,
      smtpCode: 451,
      smtpText: 'try again later',
      enhancedStatus: '4.7.1',
      rejectedRecipients: [{ address: 'x@example.net', smtpCode: 451, enhancedStatus: '4.7.1', smtpText: 'greylisted' }],
      attempt: 2,
      nextAttemptAt: at('2025-01-01T00:05:00Z'),
      failedAt: at('2025-01-01T00:00:00Z'),
    };
    const sut = decodeEvent(Events.sendFailed, encodeEvent(Events.sendFailed, init));
    expect(sut).toEqual(create(Events.sendFailed.schema, init));
    expect(sut.userId).toBe('');
  });

  it('should decode proto3 defaults and leave optional fields unset when only the ids are sent', () => {
    const sut = decodeEvent(Events.accountSyncFailed, encodeEvent(Events.accountSyncFailed, { accountId: 'a1' }));
    expect(sut.errorClass).toBe(MailErrorClass.UNSPECIFIED);
    expect(sut.folder).toBeUndefined();
    expect(sut.nextAttemptAt).toBeUndefined();
    expect(sut.consecutiveFailures).toBe(0);
  });

  it('should accept an already created message when one is passed as init', () => {
    const message = create(Events.accountChanged.schema, { accountId: 'a1', change: AccountChange.UPDATED, revision: 3 });
    expect(decodeEvent(Events.accountChanged, encodeEvent(Events.accountChanged, message))).toEqual(message);
  });
});

describe(decodeEvent.name, () => {
  it('should throw when the bytes are not a valid encoding', () => {
    expect(() => decodeEvent(Events.messageFetched, new Uint8Array([0x0a, 0xff, 0xff]))).toThrow();
  });
});
