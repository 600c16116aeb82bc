import { HTML_SIGNATURE_ATTRIBUTE, TEXT_SIGNATURE_SEPARATOR, VOID_HTML_ELEMENTS } from './composition.constants';

/**
 * Puts the account's signature into a text body. The user's signature runs from the first line that
 * is exactly `-- ` to the end of the body, or to the quoted text of a reply: the first line starting
 * with `>`, and the attribution line before it when that line ends with `:` ("On … wrote:"). It is
 * replaced; without a separator the signature is appended after a blank line and `-- `.
 * @example applyTextSignature({ text: 'Hi\n-- \nAnna', signature: 'ACME Sales' }) // 'Hi\n-- \nACME Sales'
 */
export function applyTextSignature({ text, signature }: { text: string; signature: string }): string {
  const block = [TEXT_SIGNATURE_SEPARATOR, ...stripSeparator(signature).split(/\r\n|\r|\n/)];
  const lines = text.split(/\r\n|\r|\n/);
  const start = lines.indexOf(TEXT_SIGNATURE_SEPARATOR);
  if (start < 0) {
    const body = text.replace(/(?:\r\n|\r|\n)+$/, '');
    return body.length === 0 ? block.join('\n') : [body, '', ...block].join('\n');
  }
  const end = quotedTextStart({ lines, from: start + 1 });
  const rest = end < lines.length ? ['', ...lines.slice(end)] : [];
  return [...lines.slice(0, start), ...block, ...rest].join('\n');
}

/**
 * Puts the account's signature into an HTML body. The user's signature is the first element carrying
 * `data-mailbus-signature` (any tag; nested tags of the same name are balanced; a void or
 * self-closed element is the tag alone; an unclosed one runs to `</body>` or the end). It is replaced;
 * without one the signature is inserted before the last `</body>`, else appended.
 * Attribute values containing `>` in the marked tag are not supported.
 */
export function applyHtmlSignature({ html, signature }: { html: string; signature: string }): string {
  const element = `<div ${HTML_SIGNATURE_ATTRIBUTE}="account">${signature}</div>`;
  const marked = findMarkedElement(html);
  if (marked) return html.slice(0, marked.start) + element + html.slice(marked.end);
  const bodyEnd = lastBodyClose(html);
  return bodyEnd < 0 ? html + element : html.slice(0, bodyEnd) + element + html.slice(bodyEnd);
}

/** An HTML signature from a plain one: escaped, line breaks as `<br>`. */
export const textSignatureToHtml = (text: string): string =>
  stripSeparator(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r\n|\r|\n/g, '<br>\n');

/**
 * A plain signature from an HTML one, for the text part when the account has only HTML. Signatures
 * are short markup; this keeps line structure (br, p, div, li, tr) and decodes the common entities.
 */
export const htmlSignatureToText = (html: string): string =>
  html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\b[^>]*>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

function stripSeparator(signature: string): string {
  return signature.replace(/^-- (?:\r\n|\r|\n)/, '').replace(/(?:\r\n|\r|\n)+$/, '');
}

function quotedTextStart({ lines, from }: { lines: string[]; from: number }): number {
  const quote = lines.findIndex((line, index) => index >= from && line.startsWith('>'));
  if (quote < 0) return lines.length;
  let previous = quote - 1;
  while (previous >= from && lines[previous]?.trim() === '') previous -= 1;
  return previous >= from && lines[previous]?.trimEnd().endsWith(':') ? previous : quote;
}

const MARKER = new RegExp(`<([a-zA-Z][a-zA-Z0-9-]*)(?=[\\s/>])[^>]*?\\s${HTML_SIGNATURE_ATTRIBUTE}(?=[\\s=/>])[^>]*>`, 'i');

function findMarkedElement(html: string): { start: number; end: number } | undefined {
  const open = MARKER.exec(html);
  if (!open) return undefined;
  const start = open.index;
  const afterOpen = start + open[0].length;
  const tag = (open[1] ?? '').toLowerCase();
  if (VOID_HTML_ELEMENTS.has(tag) || open[0].endsWith('/>')) return { start, end: afterOpen };
  const tags = new RegExp(`<(/?)${tag}(?=[\\s/>])[^>]*>`, 'gi');
  tags.lastIndex = afterOpen;
  let depth = 1;
  for (let match = tags.exec(html); match; match = tags.exec(html)) {
    if (match[1] === '/') depth -= 1;
    else if (!match[0].endsWith('/>')) depth += 1;
    if (depth === 0) return { start, end: match.index + match[0].length };
  }
  const bodyEnd = lastBodyClose(html);
  return { start, end: bodyEnd >= afterOpen ? bodyEnd : html.length };
}

function lastBodyClose(html: string): number {
  const closes = [...html.matchAll(/<\/body\s*>/gi)];
  return closes.length > 0 ? (closes[closes.length - 1]?.index ?? -1) : -1;
}
