/** An SMTP reply taken apart: `550 5.1.1 No such user` → 550, '5.1.1', and the reply in one line. */
export interface SmtpReply {
  code: number;
  /** RFC 3463 enhanced status code, when the server sent one. */
  enhancedStatus?: string;
  /** The whole reply on one line: the first line as sent, continuation lines without their `550-5.1.1 ` prefix. */
  text: string;
}

const REPLY_LINE = /^([2-5]\d\d)[ -]?/;
const ENHANCED_STATUS = /^([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/;
const MAX_TEXT = 1_000;

/**
 * Parses a reply as nodemailer reports it (`error.response`, `info.response`; lines of a multi-line
 * reply joined by '\n'). Undefined for anything that is not an SMTP reply, so that only the server's
 * own words can ever decide that a message is refused for good (rule 28).
 * @example parseSmtpReply('452 4.2.2 Mailbox full') // { code: 452, enhancedStatus: '4.2.2', text: '452 4.2.2 Mailbox full' }
 */
export function parseSmtpReply(response: unknown): SmtpReply | undefined {
  if (typeof response !== 'string') return undefined;
  const lines = response.split(/\r?\n/).filter((line) => line.trim() !== '');
  const first = lines[0]?.match(REPLY_LINE);
  if (!first?.[1]) return undefined;
  const afterCode = (lines[0] ?? '').slice(first[0].length);
  const enhancedStatus = afterCode.match(ENHANCED_STATUS)?.[1];
  const continuation = lines.slice(1).map((line) => line.replace(REPLY_LINE, '').replace(ENHANCED_STATUS, '').trim());
  const text = [(lines[0] ?? '').replace(/^(\d{3})-/, '$1 ').trim(), ...continuation].filter(Boolean).join(' ');
  return { code: Number(first[1]), ...(enhancedStatus ? { enhancedStatus } : {}), text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text };
}
