import { classifySendError, type ClassifiedSendError } from './classify-send-error.util';

type AddressLike = string | { address?: unknown };

/**
 * What nodemailer reports per recipient: the `info` of a send that went through (some recipients
 * may have been refused at RCPT TO while the rest got the message), or the error of a send where
 * every recipient was refused. Both carry `rejected` and `rejectedErrors` (one error per refused
 * recipient, with `recipient`, `response`, `responseCode`).
 */
export interface RecipientReport {
  accepted?: readonly AddressLike[];
  rejected?: readonly AddressLike[];
  rejectedErrors?: readonly unknown[];
  /** The server's reply to the end of DATA, e.g. `250 2.0.0 Ok: queued as 4E1C3`. */
  response?: unknown;
}

export type RejectedRecipient = ClassifiedSendError & { recipient: string };

export interface RecipientOutcome {
  accepted: string[];
  /** In nodemailer's order; `kind` tells a deferred recipient (retry it) from a refused one. */
  rejected: RejectedRecipient[];
  /** The reply that accepted the message, when it was accepted. */
  response?: string;
}

const addressOf = (entry: AddressLike): string => (typeof entry === 'string' ? entry : typeof entry.address === 'string' ? entry.address : '');
const recipientOf = (error: unknown): string | undefined => {
  const recipient = typeof error === 'object' && error !== null ? (error as { recipient?: unknown }).recipient : undefined;
  return typeof recipient === 'string' ? recipient : undefined;
};

/**
 * Splits nodemailer's report into the recipients that got the message and those refused one by one,
 * each with its own reply classified like a whole send (a 4xx retries, a 5xx is permanent).
 * @example recipientOutcome(info) // { accepted: ['a@example.com'], rejected: [{ recipient: 'b@example.com', kind: 'permanent', smtpCode: 550, … }], response: '250 2.0.0 Ok' }
 */
export function recipientOutcome(report: RecipientReport): RecipientOutcome {
  const errors = report.rejectedErrors ?? [];
  const rejected = (report.rejected ?? []).map(addressOf).map((recipient, index): RejectedRecipient => {
    // nodemailer puts the recipient on each error; by position only for errors without it.
    const error = errors.find((candidate) => recipientOf(candidate) === recipient) ?? (recipientOf(errors[index]) === undefined ? errors[index] : undefined);
    // Refused without a reply we can see: nothing says it is final, so it retries (rule 28).
    const classified: ClassifiedSendError = error === undefined ? { kind: 'retrying', errorClass: 'unknown', smtpText: 'rejected without a reply' } : classifySendError(error);
    return { recipient, ...classified };
  });
  const response = typeof report.response === 'string' && report.response.trim() !== '' ? report.response.trim() : undefined;
  // An all-rejected error carries the chosen refusal as `response`; it did not accept anything.
  const accepted = (report.accepted ?? []).map(addressOf).filter(Boolean);
  return { accepted, rejected, ...(response && accepted.length > 0 ? { response } : {}) };
}
