/** MongoDB could not be reached at start within the configured attempts; the message has no password. */
export class MongoConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MongoConnectError';
  }
}
