import { Readable } from 'node:stream';

export type MessageSource = Readable | AsyncIterable<Buffer>;

/** The raw message as a byte stream, whatever the store handed over. */
export const toReadable = (source: MessageSource): Readable => (source instanceof Readable ? source : Readable.from(source, { objectMode: false }));
