/**
 * The line that starts the user's signature in a text body (RFC 3676 §4.3: dash, dash, space). The
 * application puts it before the user's signature; it is matched exactly, so a trimmed `--` is text.
 */
export const TEXT_SIGNATURE_SEPARATOR = '-- ';

/**
 * The attribute that marks the element holding the user's signature in an HTML body, for example
 * `<div data-mailbus-signature>…</div>`. The account's signature is written back in an element with
 * the same attribute (value `account`), so composing twice gives the same result.
 */
export const HTML_SIGNATURE_ATTRIBUTE = 'data-mailbus-signature';

/** Elements that never have a closing tag, so a marker on one of them spans the tag alone. */
export const VOID_HTML_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
