import type { Pop3Client } from '@mailbus/mail-clients';
import type { Pop3KeyedMessage } from './pop3-content-key.util';
import { listPop3Messages, type Pop3Listing } from './list-pop3-messages';

/** Connections one run opens again after the server dropped one; then it stops fetching (the last one is for DELE). */
export const MAX_RECONNECTS_PER_RUN = 10;

type KeyListing = (listing: Pop3Listing) => Pop3KeyedMessage[];

/**
 * The POP3 session of one run, with the mailbox as it lists. When the server drops the connection the
 * run goes on in a new session: message numbers hold for one session only (RFC 1939), so the new one
 * lists again and messages are found by their key.
 */
export class Pop3RunSession {
  reconnects = 0;
  /** The listing's messages with the keys their records are stored under (see rekeyReusedUidls). */
  messages: Pop3KeyedMessage[] = [];
  private numbers = new Map<string, number>();
  private keyed: KeyListing = ({ messages }) => messages;

  private constructor(
    public client: Pop3Client,
    public listing: Pop3Listing,
    private readonly login: () => Promise<Pop3Client>,
  ) {
    this.applyKeys();
  }

  /** The first session of a run, on a logged-in client; `login` opens the next one. */
  static async open({ client, login }: { client: Pop3Client; login: () => Promise<Pop3Client> }): Promise<Pop3RunSession> {
    return new Pop3RunSession(client, await listPop3Messages(client), login);
  }

  /** Enough connections this run: fetch no more, delete what is stored. */
  get exhausted(): boolean {
    return this.reconnects >= MAX_RECONNECTS_PER_RUN;
  }

  /** How this run keys a listing's messages, now and after a reconnect. */
  keyWith(keyed: KeyListing): void {
    this.keyed = keyed;
    this.applyKeys();
  }

  /** The LIST size of the message with this key in this session. */
  listSizeOf(key: string): number | undefined {
    const number = this.numbers.get(key);
    return number === undefined ? undefined : this.listing.sizes.get(number);
  }

  /** This session's number of the message with this key; undefined when it is gone. */
  numberOf(key: string): number | undefined {
    return this.numbers.get(key);
  }

  /** A new connection and listing in place of a dropped one. */
  async reconnect(): Promise<void> {
    this.client.close();
    this.reconnects += 1;
    this.client = await this.login();
    this.listing = await listPop3Messages(this.client);
    this.applyKeys();
  }

  private applyKeys(): void {
    this.messages = this.keyed(this.listing);
    this.numbers = new Map(this.messages.map(({ key, number }) => [key, number]));
  }
}
