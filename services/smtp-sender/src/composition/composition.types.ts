/** An address for a header; `name` is the display name, encoded by the composer when not ASCII. */
export interface ComposeAddress {
  address: string;
  name?: string;
}

export interface ComposeAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** The account's signature; it replaces the user's (SPEC §1). Absent parts fall back as the README says. */
export interface AccountSignature {
  text?: string;
  html?: string;
}

export interface ComposeInput {
  from: ComposeAddress;
  replyTo?: ComposeAddress;
  to: ComposeAddress[];
  cc?: ComposeAddress[];
  /** Envelope only: never written to the headers. */
  bcc?: ComposeAddress[];
  subject: string;
  text?: string;
  html?: string;
  attachments?: ComposeAttachment[];
  inReplyTo?: string;
  references?: string[];
  /** Fixed when the request is accepted and kept across retries; never generated here. With or without `<>`. */
  messageId: string;
  /** Fixed when the request is accepted, so a retry builds the same bytes. */
  date: Date;
  signature?: AccountSignature;
  /** Archive addresses (the global setting and the account's), envelope only. */
  archiveBcc?: string[];
  /** SMTP MAIL FROM; default `from.address`. The account's address when From is the user's own. */
  envelopeFrom?: string;
}

export interface ComposedEnvelope {
  from: string;
  /** To, Cc, Bcc, then the archive addresses; normalised, each address once. */
  to: string[];
}

export interface ComposedMessage {
  raw: Buffer;
  /** As in the header, with angle brackets. */
  messageId: string;
  envelope: ComposedEnvelope;
}
