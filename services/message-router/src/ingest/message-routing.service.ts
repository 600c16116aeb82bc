import { Inject, Injectable, Logger } from '@nestjs/common';
import { Events, type MessageFetched, type RoutingRuleName, type UserFolderName } from '@mailbus/contracts';
import { MessageParseError, parseMessage, type ParsedMessage } from '@mailbus/mime';
import { BlobNotFoundError, BlobStore, blobId } from '@mailbus/mongo-dal';
import { EventPublisher } from '@mailbus/nats-transport';
import { UNASSIGNED_USER, type DeliveryDocument } from '../deliveries/delivery.document';
import { DeliveryRepository, deliveryIdFor } from '../deliveries/delivery.repository';
import { MongoRecipientDirectory } from '../directory/mongo-recipient.directory';
import { RoutingAccountReader } from '../directory/routing-account.reader';
import { MessageCopyRepository } from '../messages/message-copy.repository';
import type { MessageDocument } from '../messages/message.document';
import { MessageRepository } from '../messages/message.repository';
import { RouterMetrics } from '../metrics/router.metrics';
import { ownersOrUnassigned, routeMessage, type Delivery } from '../routing';
import { deliveredEvent } from './delivered-event.factory';
import { PARSE_TIMEOUT_ATTEMPTS, parseTriedAgain } from './parse-failure.util';
import { messageDocument } from './message-document.factory';

export const ROUTING_SETTINGS = Symbol('ROUTING_SETTINGS');
export interface RoutingSettings {
  parseTimeoutMs: number;
  maxBodyChars: number;
}

/**
 * message.fetched → parsed message record → deliveries → message.delivered, each step idempotent so
 * that a redelivered event (a crash anywhere, NATS or MongoDB restarting) ends in the same state:
 * the message record is keyed by the fetch key, a delivery by (user, Message-ID), and an event is
 * published for each delivery not yet marked published, with the delivery id as JetStream msg id.
 * A message that cannot be parsed is quarantined, never dropped: stored with parseError and delivered
 * to the account's owners (SPEC §3.5). Failures of MongoDB or NATS throw, and the event comes back.
 */
@Injectable()
export class MessageRoutingService {
  private readonly logger = new Logger(MessageRoutingService.name);

  constructor(
    private readonly blobs: BlobStore,
    private readonly messages: MessageRepository,
    private readonly copies: MessageCopyRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly directory: MongoRecipientDirectory,
    private readonly accounts: RoutingAccountReader,
    private readonly events: EventPublisher,
    private readonly metrics: RouterMetrics,
    @Inject(ROUTING_SETTINGS) private readonly settings: RoutingSettings,
  ) {}

  /**
   * `to` routes to one user's folder instead of by the rules: mail this user sent through mailbus.
   * Another copy of a stored mail in the same account (moved to a synced Junk folder, filed in a synced
   * Sent folder) finds the stored record and adds nothing but deliveries to users not served yet.
   */
  async onMessageFetched(event: MessageFetched, { to, deliveryCount = 1 }: { to?: { userId: string; folder: UserFolderName; rule: RoutingRuleName; matchedAddress: string }; deliveryCount?: number } = {}): Promise<void> {
    const stopTimer = this.metrics.routeDuration.startTimer();
    // No look for the record first: a redelivered event is rare, and the insert finds the record of an
    // earlier delivery anyway (FerretDB answers every lookup with a scan; see libs/testing ferretdb.ts).
    const { parsed, parseError } = await this.parse(event, deliveryCount);
    const record = messageDocument({ event, parsed, parseError, routedAt: new Date() });
    const deliveries = to ? this.deliveriesOf({ message: record, routed: [to] }) : await this.route({ message: record, parsed });
    // Deliveries first: a message record means "routed", so a redelivery after a crash in between routes again (idempotently).
    await this.deliveries.insertManyIfAbsent(deliveries);
    const { message, inserted } = await this.messages.insertIfAbsent({ ...record, deliveryIds: deliveries.map(({ _id }) => _id) });
    if (inserted) {
      this.metrics.messagesRouted.inc({ outcome: message.parseError ? 'quarantined' : 'routed' });
      for (const delivery of deliveries) this.metrics.deliveries.inc({ rule: delivery.rule, folder: delivery.folder });
    } else {
      await this.joinStoredRecord({ message, fetched: record, deliveries });
    }
    // A redelivery may have routed to someone new meanwhile (a user added since): theirs is announced too.
    await this.publishDeliveries({ message, ids: [...new Set([...message.deliveryIds, ...deliveries.map(({ _id }) => _id)])] });
    stopTimer({ outcome: message.parseError ? 'quarantined' : 'routed' });
  }

  /**
   * This fetch is a redelivery, or another copy of a mail the account already has (a multidrop mailbox
   * keeps one per envelope recipient). Deliveries it made for this record join the record's, and
   * another copy is kept with its own place, headers and bytes, which the users it was delivered to
   * see (copyView): deleting the mail on the server waits for every user and then deletes every copy.
   */
  private async joinStoredRecord({ message, fetched, deliveries }: { message: MessageDocument; fetched: Omit<MessageDocument, 'deliveryIds'>; deliveries: DeliveryDocument[] }): Promise<void> {
    if (fetched.fetchKey !== message.fetchKey) {
      const { fetchKey, accountId, source, blobId, size, headers, bcc } = fetched;
      await this.copies.insertIfAbsent({ _id: fetchKey, messageId: message._id, accountId, source, blobId, size, headers, bcc, createdAt: fetched.routedAt });
    }
    const known = new Set(message.deliveryIds);
    const unknown = deliveries.map(({ _id }) => _id).filter((id) => !known.has(id));
    // A delivery that existed already may belong to the same mail through another account: not this record's.
    const joining = unknown.length > 0 ? (await this.deliveries.findByIds(unknown)).filter(({ messageId }) => messageId === message._id).map(({ _id }) => _id) : [];
    await this.messages.addDeliveries({ id: message._id, deliveryIds: joining });
    message.deliveryIds.push(...joining);
  }

  private async parse(event: MessageFetched, deliveryCount: number): Promise<{ parsed?: ParsedMessage; parseError?: string }> {
    try {
      const parsed = await parseMessage(this.blobs.openReadStream(blobId(event.blobId)), { timeoutMs: this.settings.parseTimeoutMs, maxBodyChars: this.settings.maxBodyChars });
      return { parsed };
    } catch (error) {
      if (parseTriedAgain({ error, deliveryCount })) throw new Error(`parsing timed out on delivery ${deliveryCount} of ${PARSE_TIMEOUT_ATTEMPTS}; trying again`, { cause: error });
      if (error instanceof MessageParseError) return this.quarantine(event, error.code.toLowerCase(), error.reason);
      // The fetcher stores the raw bytes before it publishes; a missing blob was deleted since. Kept as a record all the same.
      if (error instanceof BlobNotFoundError) return this.quarantine(event, 'blob_missing', 'the raw message is no longer in the store');
      throw error;
    }
  }

  private quarantine(event: MessageFetched, reason: string, parseError: string): { parseError: string } {
    this.metrics.parseFailures.inc({ reason });
    this.logger.warn({ msg: 'message quarantined: delivered to the account owners with parseError', accountId: event.accountId, fetchKey: event.fetchKey, reason: parseError });
    return { parseError };
  }

  private async route({ message, parsed }: { message: Omit<MessageDocument, 'deliveryIds'>; parsed?: ParsedMessage }): Promise<DeliveryDocument[]> {
    const account = await this.accounts.get(message.accountId);
    const routed: Delivery[] = parsed
      ? await routeMessage(
          { account, folderRole: message.source.folderRole, headers: parsed.headers, ...(parsed.from ? { from: parsed.from } : {}), to: parsed.to, cc: parsed.cc, bcc: parsed.bcc, spam: parsed.spam.spam },
          this.directory,
        )
      : ownersOrUnassigned({ owners: account.owners, folder: 'inbox' });
    return this.deliveriesOf({ message, routed });
  }

  private deliveriesOf({ message, routed }: { message: Omit<MessageDocument, 'deliveryIds'>; routed: Delivery[] }): DeliveryDocument[] {
    const deliveredAt = new Date();
    return routed.map((delivery) => {
      const userId = delivery.userId ?? UNASSIGNED_USER;
      return {
        _id: deliveryIdFor({ userId, identity: message.identity }),
        userId,
        messageId: message._id,
        accountId: message.accountId,
        fetchKey: message.fetchKey,
        folder: delivery.folder,
        rule: delivery.rule,
        matchedAddress: delivery.matchedAddress,
        read: false,
        receivedAt: message.receivedAt,
        ...(message.from ? { from: message.from } : {}),
        to: message.to.slice(0, 20),
        subject: message.subject,
        ...(message.date ? { date: message.date } : {}),
        size: message.size,
        spam: delivery.folder === 'spam',
        threadId: message.threadId,
        hasAttachments: message.attachments.some(({ inline }) => !inline),
        ...(message.parseError ? { parseError: message.parseError } : {}),
        published: false,
        deliveredAt,
      };
    });
  }

  /** Deliveries of another message with the same identity are that message's to announce; only this one's are published. */
  private async publishDeliveries({ message, ids }: { message: MessageDocument; ids: string[] }): Promise<void> {
    const pending = await this.deliveries.unpublished({ ids, messageId: message._id });
    await Promise.all(pending.map((delivery) => this.events.publish(Events.messageDelivered, deliveredEvent({ delivery, message }), { msgId: delivery._id })));
    await this.deliveries.markPublished(pending.map(({ _id }) => _id));
  }
}
