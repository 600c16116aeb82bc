/** A Message-ID with angle brackets, whether it came with or without them. */
export function bracketedMessageId(id: string): string {
  return `<${id.trim().replace(/^<|>$/g, '')}>`;
}

/** Whether two Message-IDs are the same id; brackets and surrounding whitespace aside, case matters (RFC 5322). */
export function sameMessageId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && bracketedMessageId(a) === bracketedMessageId(b);
}
