/**
 * Why a send failed, for metrics and the outbox view:
 * `dns` the host does not resolve; `connect` nothing answers, it hung up, or it said 421 (closing);
 * `tls` the handshake, the certificate or STARTTLS failed; `auth` the server refused the login;
 * `protocol` the server answered out of sequence (503) or not like SMTP; `timeout` it went silent;
 * `rejected` it refused the sender, a recipient or the content; `quota` a mailbox or the server is full;
 * `unknown` anything else, e.g. our own code failed before the server said anything.
 */
export const SEND_ERROR_CLASSES = ['dns', 'connect', 'tls', 'auth', 'protocol', 'timeout', 'rejected', 'quota', 'unknown'] as const;
export type SendErrorClass = (typeof SEND_ERROR_CLASSES)[number];

/** `permanent`: the same message would get the same answer, stop; `retrying`: try again until the horizon. */
export const SEND_OUTCOME_KINDS = ['retrying', 'permanent'] as const;
export type SendOutcomeKind = (typeof SEND_OUTCOME_KINDS)[number];
