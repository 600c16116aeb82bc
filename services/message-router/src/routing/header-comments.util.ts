/**
 * RFC 5322 comments `( … )`: nested, with `\` quoted pairs. An unclosed comment runs to the end of
 * the value (lenient: header values from the wild are often cut or broken).
 * @returns the index of the `)` closing the comment that opens at `start`, or the last index
 */
export function skipComment({ value, start }: { value: string; start: number }): number {
  let depth = 0;
  for (let i = start; i < value.length; i++) {
    const char = value[i];
    if (char === '\\') i++;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return i;
  }
  return value.length - 1;
}

/** The value with every comment replaced by one space. */
export function withoutComments(value: string): string {
  let text = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '(') {
      i = skipComment({ value, start: i });
      text += ' ';
    } else text += value[i];
  }
  return text;
}
