/** Where a message was last seen on the server. */
export interface ServerMessageRef {
  folder: string;
  uidValidity?: number;
  uid?: number;
  /** The Message-ID header, with or without its angle brackets. */
  messageIdHeader?: string;
  /**
   * RFC822.SIZE as the message was fetched; absent or 0 when unknown. Copies of one mail share the
   * Message-ID (a multidrop mailbox keeps one per recipient), so a search by Message-ID keeps only this size.
   */
  size?: number;
}
