/** What BlobStore.put accepts: a byte stream (not in string mode) or any async source of byte arrays. */
export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * Re-slices a byte stream into chunks of exactly `size` bytes (the last one shorter), copying each
 * into its own buffer so nothing retains the source's (possibly larger) buffers.
 * Memory: at most one chunk plus one source piece.
 */
export async function* fixedSizeChunks({ source, size }: { source: ByteSource; size: number }): AsyncGenerator<Buffer> {
  let parts: Uint8Array[] = [];
  let buffered = 0;
  for await (const piece of source) {
    if (!(piece instanceof Uint8Array)) throw new TypeError('blob source must yield bytes (Buffer or Uint8Array), not strings or objects');
    let rest = piece;
    while (rest.byteLength > 0) {
      const take = Math.min(size - buffered, rest.byteLength);
      parts.push(rest.subarray(0, take));
      buffered += take;
      rest = rest.subarray(take);
      if (buffered === size) {
        yield Buffer.concat(parts, buffered);
        parts = [];
        buffered = 0;
      }
    }
  }
  if (buffered > 0) yield Buffer.concat(parts, buffered);
}
