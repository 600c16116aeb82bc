import sanitize from 'sanitize-html';

export interface SanitizedHtml {
  html: string;
  /** Remote images (or backgrounds) were present; they are disabled until the reader allows them. */
  hasRemoteContent: boolean;
}

/** What mail layouts use: tables and legacy presentational tags included, no forms, frames, media or scripts. */
// prettier-ignore
const ALLOWED_TAGS = [
  'a', 'abbr', 'address', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup',
  'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
  'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'summary',
  'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr',
];

const CELL_ATTRIBUTES = ['align', 'valign', 'bgcolor', 'width', 'height', 'colspan', 'rowspan', 'nowrap', 'abbr', 'scope'];

const ALLOWED_ATTRIBUTES: sanitize.IOptions['allowedAttributes'] = {
  '*': ['style', 'title', 'dir', 'lang', 'align'],
  a: ['href', 'name', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height', 'border', 'hspace', 'vspace', 'data-remote-src'],
  table: ['border', 'cellpadding', 'cellspacing', 'width', 'height', 'bgcolor', 'summary'],
  td: CELL_ATTRIBUTES,
  th: CELL_ATTRIBUTES,
  tr: ['valign', 'bgcolor', 'height'],
  col: ['span', 'width'],
  colgroup: ['span', 'width'],
  font: ['color', 'face', 'size'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value'],
  blockquote: ['cite', 'type'],
  q: ['cite'],
  time: ['datetime'],
  details: ['open'],
};

/**
 * Inline styles are kept because mail layouts depend on them, but only for presentational properties and
 * with values that cannot load anything or run script: no url(), expression(), image-set(), var(), no
 * escapes, and no positioning (position/z-index would let a message draw over the host application's UI).
 */
const SAFE_STYLE_VALUE = /^(?![\s\S]*(?:url|expression|image-set|image|var|attr|env)\s*\()(?![\s\S]*(?:javascript|vbscript|behavior|binding))[-\w\s#.,%()'"!/+]*$/i;
// prettier-ignore
const STYLE_PROPERTIES = [
  'color', 'background-color', 'font', 'font-family', 'font-size', 'font-style', 'font-weight', 'font-variant', 'line-height',
  'letter-spacing', 'word-spacing', 'text-align', 'text-decoration', 'text-indent', 'text-transform', 'vertical-align', 'white-space',
  'word-break', 'word-wrap', 'overflow-wrap', 'direction', 'display', 'visibility', 'width', 'min-width', 'max-width', 'height',
  'min-height', 'max-height', 'margin', 'margin-top', 'margin-right', 'margin-bottom', 'margin-left', 'padding', 'padding-top',
  'padding-right', 'padding-bottom', 'padding-left', 'border', 'border-top', 'border-right', 'border-bottom', 'border-left',
  'border-color', 'border-style', 'border-width', 'border-radius', 'border-collapse', 'border-spacing', 'list-style-type', 'float',
  'clear', 'table-layout', 'overflow',
];
const ALLOWED_STYLES = { '*': Object.fromEntries(STYLE_PROPERTIES.map((property) => [property, [SAFE_STYLE_VALUE]])) };

/** Their content is dropped along with the tag (not shown as text). */
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xml', 'svg', 'math', 'object', 'iframe', 'frameset'];

const isRemoteUrl = (url: string | undefined): boolean => !!url && /^\s*(?:https?:)?\/\//i.test(url);

/**
 * A URL without a scheme resolves against the page that shows the mail: the business application, whose
 * cookies it would carry (`<img src="/api/orders/1/cancel">`). A mail has no base of its own, so such
 * links and images are dropped; in-page anchors (`#top`) load nothing and stay.
 */
const isRelativeUrl = (url: string | undefined): boolean => url !== undefined && !/^\s*(?:[a-z][a-z\d+.-]*:|#)/i.test(url);

/**
 * Sanitises a message's HTML for display in the business application (allow-list, sanitize-html):
 * scripts, event handlers, `javascript:` and other non-allowed URL schemes, forms, frames, objects,
 * `<style>`/`<link>`/`<meta>`/`<base>` and comments are removed, and so are relative link and image URLs.
 * Links open in a new window without referrer.
 * Remote images are not loaded when the HTML is shown: `src` moves to `data-remote-src` (the viewer may restore
 * it when the reader asks to) and `hasRemoteContent` is set; remote `background` attributes are dropped.
 * `cid:` images (parts of the same message) and `data:` images keep working.
 *
 * @example sanitizeHtml('<img src="https://t.example/p.gif" onerror="x()">') // { html: '<img data-remote-src="https://t.example/p.gif" />', hasRemoteContent: true }
 */
export const sanitizeHtml = (dirty: string): SanitizedHtml => {
  let hasRemoteContent = false;
  const markRemoteBackground = (attribs: sanitize.Attributes): sanitize.Attributes => {
    if (isRemoteUrl(attribs['background'])) hasRemoteContent = true;
    return attribs;
  };
  const html = sanitize(dirty, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedStyles: ALLOWED_STYLES,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowProtocolRelative: false,
    nonTextTags: NON_TEXT_TAGS,
    enforceHtmlBoundary: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: (tagName, attribs) => {
        const { href, ...rest } = attribs;
        return { tagName, attribs: { ...rest, ...(isRelativeUrl(href) ? {} : href === undefined ? {} : { href }), target: '_blank', rel: 'noopener noreferrer nofollow' } };
      },
      img: (tagName, attribs) => {
        const { src, srcset: _srcset, ...rest } = attribs;
        if (isRemoteUrl(src) || isRemoteUrl(_srcset)) {
          hasRemoteContent = true;
          return { tagName, attribs: src ? { ...rest, 'data-remote-src': src.trim() } : rest };
        }
        const { 'data-remote-src': _forged, ...own } = rest;
        return { tagName, attribs: src === undefined || isRelativeUrl(src) ? own : { ...own, src } };
      },
      table: (tagName, attribs) => ({ tagName, attribs: markRemoteBackground(attribs) }),
      td: (tagName, attribs) => ({ tagName, attribs: markRemoteBackground(attribs) }),
      th: (tagName, attribs) => ({ tagName, attribs: markRemoteBackground(attribs) }),
      body: (tagName, attribs) => ({ tagName, attribs: markRemoteBackground(attribs) }),
    },
  });
  return { html, hasRemoteContent };
};
