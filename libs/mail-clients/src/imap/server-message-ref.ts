/** Where a message was last seen on the server. */
export interface ServerMessageRef {
  folder: string;
  uidValidity?: number;
  uid?: number;
  /** The Message-ID header, with or without its angle brackets. */
  messageIdHeader?: string;
}
