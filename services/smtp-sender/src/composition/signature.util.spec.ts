import { describe, expect, it } from 'vitest';
import { applyHtmlSignature, applyTextSignature, htmlSignatureToText, textSignatureToHtml } from './signature.util';

describe(applyTextSignature.name, () => {
  it.each<[string, string, string]>([
    ['should replace the user signature when the separator is present', 'Hello Bob\n\n-- \nAnna\nPhone 1', 'Hello Bob\n\n-- \nACME Sales\nwww.acme.example'],
    ['should append after a blank line when there is no separator', 'Hello Bob\n\n', 'Hello Bob\n\n-- \nACME Sales\nwww.acme.example'],
    ['should give only the signature when the body is empty', '', '-- \nACME Sales\nwww.acme.example'],
    [
      'should keep the quoted reply and its attribution when the signature precedes them',
      'Yes.\n-- \nAnna\n\nOn Mon, Bob wrote:\n> Offer?\n> -- \n> Bob',
      'Yes.\n-- \nACME Sales\nwww.acme.example\n\nOn Mon, Bob wrote:\n> Offer?\n> -- \n> Bob',
    ],
    ['should keep quoted text without attribution when the signature precedes it', 'Yes.\r\n-- \r\nAnna\r\n> Offer?', 'Yes.\n-- \nACME Sales\nwww.acme.example\n\n> Offer?'],
    ['should not treat a trimmed -- as a separator when appending', 'Prices -- see below\n--\nAnna', 'Prices -- see below\n--\nAnna\n\n-- \nACME Sales\nwww.acme.example'],
  ])('%s', (_name, text, expected) => {
    expect(applyTextSignature({ text, signature: 'ACME Sales\nwww.acme.example\n' })).toBe(expected);
  });

  it('should not double the separator when the account signature starts with one', () => {
    expect(applyTextSignature({ text: 'Hi', signature: '-- \nACME' })).toBe('Hi\n\n-- \nACME');
  });
});

describe(applyHtmlSignature.name, () => {
  const sig = '<b>ACME</b>';
  const account = '<div data-mailbus-signature="account"><b>ACME</b></div>';
  it.each<[string, string, string]>([
    ['should replace the marked element when there is one', '<html><body><p>Hi</p><div data-mailbus-signature><p>Anna</p></div></body></html>', `<html><body><p>Hi</p>${account}</body></html>`],
    [
      'should balance nested tags of the same name when replacing',
      '<p>Hi</p><DIV class="x" data-mailbus-signature="user"><div>Anna</div><div>Phone</div></DIV><div>after</div>',
      `<p>Hi</p>${account}<div>after</div>`,
    ],
    ['should replace a self-closed marked element alone', '<p>Hi</p><span data-mailbus-signature/><p>after</p>', `<p>Hi</p>${account}<p>after</p>`],
    ['should run an unclosed marked element to </body>', '<body><p>Hi</p><div data-mailbus-signature>Anna</body>', `<body><p>Hi</p>${account}</body>`],
    ['should insert before the last </body> when nothing is marked', '<html><body><p>Hi</p></body></html>', `<html><body><p>Hi</p>${account}</body></html>`],
    ['should append at the end when there is no body element', '<p>Hi</p>', `<p>Hi</p>${account}`],
    ['should not take an attribute with a longer name for the marker', '<div data-mailbus-signature-old>x</div>', `<div data-mailbus-signature-old>x</div>${account}`],
    ['should replace its own output when composed twice', `<p>Hi</p>${account}`, `<p>Hi</p>${account}`],
  ])('%s', (_name, html, expected) => {
    expect(applyHtmlSignature({ html, signature: sig })).toBe(expected);
  });
});

describe(textSignatureToHtml.name, () => {
  it('should escape markup and keep line breaks', () => {
    expect(textSignatureToHtml('-- \nA & B <sales@acme.example>\nPhone')).toBe('A &amp; B &lt;sales@acme.example&gt;<br>\nPhone');
  });
});

describe(htmlSignatureToText.name, () => {
  it('should keep line structure and decode entities', () => {
    expect(htmlSignatureToText('<p><b>ACME</b> &amp; Co</p><div>Phone&nbsp;1<br>Fax 2</div><style>p{}</style>')).toBe('ACME & Co\nPhone 1\nFax 2');
  });
});
