import { describe, expect, it } from 'vitest';
import type { MessageView } from '@mailbus/contracts';
import { fitReply } from './fit-reply.util';

const view = (overrides: Partial<MessageView> = {}): MessageView => ({
  id: 'm0123456789abcdef0123456789abcdef',
  accountId: 'acc',
  references: [],
  threadId: 't',
  receivedAt: '2026-12-02T00:00:00.000Z',
  to: [],
  cc: [],
  bcc: [],
  replyTo: [],
  subject: 'Hello',
  size: 100,
  headers: [{ key: 'subject', value: 'Hello' }],
  text: 'Hello',
  html: '<p>Hello</p>',
  htmlHasRemoteContent: false,
  attachments: [],
  spam: { spam: false },
  source: { protocol: 'imap', folder: 'INBOX' },
  ...overrides,
});

describe(fitReply.name, () => {
  it('should answer a view that fits as it is', () => {
    expect(fitReply(view(), 10_000)).toEqual(view());
  });

  it('should leave out bodies that do not fit and give their lengths, keeping everything else', () => {
    const long = view({ text: 'x'.repeat(20_000), html: `<p>${'y'.repeat(30_000)}</p>` });
    expect(fitReply(long, 10_000)).toEqual({ ...long, text: '', html: '', bodyLengths: { text: 20_000, html: 30_007 } });
  });

  it('should keep the headers that fit when even the view without bodies does not', () => {
    const headers = Array.from({ length: 50 }, (_, n) => ({ key: `x-h${n}`, value: 'v'.repeat(400) }));
    const fitted = fitReply(view({ headers, text: 'x'.repeat(20_000) }), 10_000);
    expect(fitted.headers.length).toBeGreaterThan(10);
    expect(fitted.headers.length).toBeLessThan(50);
    expect(fitted.headers).toEqual(headers.slice(0, fitted.headers.length));
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(10_000);
  });
});
