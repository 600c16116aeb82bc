import type { Pop3Client } from '@mailbus/mail-clients';
import type { Pop3KeyedMessage } from './pop3-content-key.util';
import { listPop3Messages, type Pop3Listing } from './list-pop3-messages';

/** Connections one run opens again after the server dropped one; then it stops fetching (the last one is for DELE). */
export const MAX_RECONNECTS_PER_RUN = 10;

type KeyListing = (listing: Pop3Listing) => Pop3KeyedMessage[];

/** Logs in again; undefined when the server's LOGIN-DELAY does not allow it yet. */
type Login = () => Promise<Pop3Client | undefined>;

/**
 * The POP3 session of one run, with the mailbox as it lists. When the server drops the connection the
 * run goes on in a new session: message numbers hold for one session only (RFC 1939), so the new one
 * lists again and messages are found by their key. Not when the server announced a LOGIN-DELAY: it
 * would refuse the login, so the session is `lost` and the run ends with what it has.
 */
export class Pop3RunSession {
  reconnects = 0;
  /** The server dropped the connection and its LOGIN-DELAY forbids another login this run. */
  lost = false;
  /** The listing's messages with the keys their records are stored under (see rekeyReusedUidls). */
  messages: Pop3KeyedMessage[] = [];
  private numbers = new Map<string, number>();
  private keyed: KeyListing = ({ messages }) => messages;

  private constructor(
    public client: Pop3Client,
    public listing: Pop3Listing,
    private readonly login: Login,
  ) {
    this.applyKeys();
  }

  /** The first session of a run, on a logged-in client; `login` opens the next one. */
  static async open({ client, login }: { client: Pop3Client; login: Login }): Promise<Pop3RunSession> {
    return new Pop3RunSession(client, await listPop3Messages(client), login);
  }

  /** No more fetching this run: enough connections (delete what is stored), or none left (lost). */
  get exhausted(): boolean {
    return this.lost || this.reconnects >= MAX_RECONNECTS_PER_RUN;
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

  /** A new connection and listing in place of a dropped one; none (lost) while the server's LOGIN-DELAY runs. */
  async reconnect(): Promise<void> {
    this.client.close();
    const client = await this.login();
    if (!client) {
      this.lost = true;
      return;
    }
    this.reconnects += 1;
    this.client = client;
    this.listing = await listPop3Messages(this.client);
    this.applyKeys();
  }

  private applyKeys(): void {
    this.messages = this.keyed(this.listing);
    this.numbers = new Map(this.messages.map(({ key, number }) => [key, number]));
  }
}
