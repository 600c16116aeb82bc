import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from './html-sanitize.util';

describe(sanitizeHtml.name, () => {
  it.each([
    ['script', '<p>hi</p><script>alert(1)</script>', '<p>hi</p>'],
    ['event handlers', '<b onclick="x()" onmouseover=y>hi</b><img src="cid:a" onerror="z()">', '<b>hi</b><img src="cid:a" />'],
    [
      'javascript: links',
      '<a href="javascript:alert(1)">x</a><a href="jav&#x09;ascript:alert(1)">y</a>',
      '<a target="_blank" rel="noopener noreferrer nofollow">x</a><a target="_blank" rel="noopener noreferrer nofollow">y</a>',
    ],
    ['forms', '<form action="https://evil"><input name="pw"><button>Go</button></form>', 'Go'],
    ['iframes, objects and svg', '<iframe src="https://evil">t</iframe><object data="x">o</object><svg><script>1</script></svg>ok', 'ok'],
    ['style, link, meta and base', '<style>body{}</style><link rel="stylesheet" href="https://x/c.css"><meta http-equiv="refresh" content="0;url=https://x"><base href="https://x/">ok', 'ok'],
    ['comments and conditional comments', '<!--[if mso]><script>1</script><![endif]-->ok<!-- c -->', 'ok'],
    ['data: links', '<a href="data:text/html,<script>1</script>">x</a>', '<a target="_blank" rel="noopener noreferrer nofollow">x</a>'],
    ['protocol-relative links', '<a href="//evil.example/">x</a>', '<a target="_blank" rel="noopener noreferrer nofollow">x</a>'],
  ])('should remove %s', (_name, dirty, expected) => {
    expect(sanitizeHtml(dirty).html).toBe(expected);
  });

  it('should keep mail layout: tables, fonts, safe inline styles and http links', () => {
    const dirty =
      '<table border="0" cellpadding="2" width="100%"><tr><td align="center" bgcolor="#eee" style="color: #333; padding: 4px">x</td></tr></table><font color="red">f</font><a href="https://example.com">l</a>';
    expect(sanitizeHtml(dirty)).toEqual({
      html: '<table border="0" cellpadding="2" width="100%"><tr><td align="center" bgcolor="#eee" style="color:#333;padding:4px">x</td></tr></table><font color="red">f</font><a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">l</a>',
      hasRemoteContent: false,
    });
  });

  it('should drop style declarations that load or run anything and positioning', () => {
    const { html } = sanitizeHtml('<div style="background-image:url(https://t/p.gif);width:expression(alert(1));position:fixed;z-index:9;color:red">x</div>');
    expect(html).toBe('<div style="color:red">x</div>');
  });

  it('should disable remote images and flag remote content when the HTML has tracking pixels', () => {
    const sut = sanitizeHtml('<img src="https://t.example/p.gif?u=1" width="1"><img src="//t.example/q.gif"><img srcset="https://t/x 2x">');
    expect(sut.hasRemoteContent).toBe(true);
    expect(sut.html).toBe('<img width="1" data-remote-src="https://t.example/p.gif?u=1" /><img data-remote-src="//t.example/q.gif" /><img />');
  });

  it('should keep cid: and data: images working and not flag them', () => {
    const sut = sanitizeHtml('<img src="cid:logo@x"><img src="data:image/png;base64,iVBORw0KGgo=">');
    expect(sut).toEqual({ html: '<img src="cid:logo@x" /><img src="data:image/png;base64,iVBORw0KGgo=" />', hasRemoteContent: false });
  });

  it('should not let the message forge data-remote-src on an image that is not remote', () => {
    expect(sanitizeHtml('<img src="cid:a" data-remote-src="javascript:x">').html).toBe('<img src="cid:a" />');
  });

  it('should drop relative image and link URLs, which would load from the application showing the mail, and keep in-page anchors', () => {
    const sut = sanitizeHtml('<img src="/api/orders/1/cancel"><img src="x.png"><a href="../logout">out</a><a href="#top">top</a><a href="https://shop.example/">shop</a>');
    expect(sut).toEqual({
      html: '<img /><img /><a target="_blank" rel="noopener noreferrer nofollow">out</a><a href="#top" target="_blank" rel="noopener noreferrer nofollow">top</a><a href="https://shop.example/" target="_blank" rel="noopener noreferrer nofollow">shop</a>',
      hasRemoteContent: false,
    });
  });

  it('should flag remote table backgrounds and drop them', () => {
    expect(sanitizeHtml('<table background="https://t/bg.png"><tr><td>x</td></tr></table>')).toEqual({ html: '<table><tr><td>x</td></tr></table>', hasRemoteContent: true });
  });

  it('should keep the text of a whole HTML document and drop its head', () => {
    expect(sanitizeHtml('<html><head><title>T</title></head><body bgcolor="#fff"><p>Body</p></body></html>').html).toBe('<p>Body</p>');
  });
});
