import { MailProtocol } from './gen/mailbus/v1/mailbox_pb';

export type FetchKeyInput =
  | { accountId: string; protocol: MailProtocol.IMAP; folder: string; uidValidity: number; uid: number }
  | { accountId: string; protocol: MailProtocol.POP3; uidl: string };

const isUint32 = (value: number): boolean => Number.isInteger(value) && value > 0 && value <= 0xffff_ffff;

/**
 * The deterministic identity of a message on a mail server (SPEC §3.2): MessageFetched.fetch_key,
 * its JetStream message id and the message record's key, so a re-fetch can never create a second
 * record. IMAP `<account>/imap/<folder>/<uidvalidity>/<uid>`, POP3 `<account>/pop3/<uidl>`. The
 * numeric tail (IMAP) and the fixed prefix (POP3) keep keys unique although folders and UIDLs
 * may contain `/`.
 * @example fetchKey({ accountId: 'a1', protocol: MailProtocol.IMAP, folder: 'INBOX', uidValidity: 7, uid: 42 }) // 'a1/imap/INBOX/7/42'
 */
export function fetchKey(input: FetchKeyInput): string {
  if (!input.accountId || input.accountId.includes('/')) throw new RangeError(`fetchKey: invalid account id "${input.accountId}"`);
  if (input.protocol === MailProtocol.POP3) {
    if (!input.uidl) throw new RangeError('fetchKey: a POP3 message needs its UIDL');
    return `${input.accountId}/pop3/${input.uidl}`;
  }
  if (!input.folder) throw new RangeError('fetchKey: an IMAP message needs its folder');
  if (!isUint32(input.uidValidity) || !isUint32(input.uid)) {
    throw new RangeError(`fetchKey: UIDVALIDITY and UID must be integers in 1..2^32-1 (got ${input.uidValidity}, ${input.uid})`);
  }
  return `${input.accountId}/imap/${input.folder}/${input.uidValidity}/${input.uid}`;
}
