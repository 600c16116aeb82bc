/** openAttachment was asked for an index the message does not have. */
export class AttachmentNotFoundError extends Error {
  override readonly name = 'AttachmentNotFoundError';

  constructor(
    readonly index: number,
    readonly count: number,
  ) {
    super(`attachment ${index} not found: the message has ${count} attachment${count === 1 ? '' : 's'}`);
  }
}
