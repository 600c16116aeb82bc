import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { largeMessage } from '../test/factories/large-message.factory';
import { buildRawMessage, chunkedSource, rawFromLines } from '../test/factories/raw-message.factory';
import { MessageParseError } from './message-parse.error';
import { parseMessage } from './parse-message.util';

const CORPUS = join(__dirname, '../test/fixtures/corpus');
const corpusFile = (path: string): Promise<Buffer> => readFile(join(CORPUS, path));
const options = { timeoutMs: 10_000 };

const expectParseError = async (promise: Promise<unknown>, code: string): Promise<MessageParseError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MessageParseError);
  expect((error as MessageParseError).code).toBe(code);
  return error as MessageParseError;
};

describe(parseMessage.name, () => {
  it('should read the envelope fields when the headers are encoded', async () => {
    const raw = rawFromLines(
      'Received: from mx (mx [192.0.2.1]) by mail',
      'From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@xn--mller-kva.de>',
      'Sender: Assistant <assist@example.com>',
      'To: Bob <bob@example.org>, undisclosed-recipients:;',
      'Cc: team: carl@example.org, dora@example.org;',
      'Reply-To: reply@example.com',
      'Subject: =?utf-8?b?R3LDvMOfZQ==?= aus Berlin',
      'Message-ID: <m2@example.com>',
      'In-Reply-To: <m1@example.com> (sent by Bob)',
      'References: <root@example.com>',
      '\t<m1@example.com>',
      'Date: Sat, 1 Mar 2025 11:00:00 +0100 (CET)',
      '',
      'Hallo',
    );
    const sut = await parseMessage(chunkedSource(raw, 7), options);
    expect(sut).toMatchObject({
      messageIdHeader: '<m2@example.com>',
      inReplyTo: '<m1@example.com>',
      references: ['<root@example.com>', '<m1@example.com>'],
      date: new Date('2025-03-01T10:00:00Z'),
      from: { address: 'juergen@müller.de', name: 'Jürgen Müller' },
      sender: { address: 'assist@example.com', name: 'Assistant' },
      to: [{ address: 'bob@example.org', name: 'Bob' }],
      cc: [
        { address: 'carl@example.org', name: '' },
        { address: 'dora@example.org', name: '' },
      ],
      bcc: [],
      replyTo: [{ address: 'reply@example.com', name: '' }],
      subject: 'Grüße aus Berlin',
      text: 'Hallo',
      htmlHasRemoteContent: false,
      attachments: [],
      spam: { spam: false },
      size: raw.length,
    });
    expect(sut.html).toBeUndefined();
    expect(sut.headers[0]).toEqual({ key: 'received', value: 'from mx (mx [192.0.2.1]) by mail' });
    expect(sut.headers.find((h) => h.key === 'subject')?.value).toBe('=?utf-8?b?R3LDvMOfZQ==?= aus Berlin');
  });

  it('should sanitise the HTML body and list attachments in order when the message has inline images and files', async () => {
    const raw = await buildRawMessage({
      html: '<p onclick="x()">Hi <img src="cid:logo@x"><img src="https://track.example/p.gif"></p><script>alert(1)</script>',
      attachments: [
        { filename: 'logo.png', content: Buffer.from('png-bytes'), cid: 'logo@x', contentType: 'image/png' },
        { filename: 'Preisliste 2025.pdf', content: Buffer.alloc(3000, 1), contentType: 'application/pdf' },
        { content: 'no name', contentType: 'text/csv' },
      ],
    });
    const sut = await parseMessage(chunkedSource(raw), options);
    expect(sut.html).toBe('<p>Hi <img src="cid:logo@x" /><img data-remote-src="https://track.example/p.gif" /></p>');
    expect(sut.htmlHasRemoteContent).toBe(true);
    expect(sut.attachments.map(({ partPath: _p, ...a }) => a)).toEqual([
      { index: 0, filename: 'logo.png', contentType: 'image/png', size: 9, contentId: 'logo@x', inline: true },
      { index: 1, filename: 'Preisliste 2025.pdf', contentType: 'application/pdf', size: 3000, inline: false },
      { index: 2, filename: 'attachment-3.csv', contentType: 'text/csv', size: 7, inline: false },
    ]);
  });

  it('should read a calendar invitation when the message has a text/calendar part', async () => {
    const sut = await parseMessage(chunkedSource(await corpusFile('gh-php-mime-mail-parser/m0020.eml')), options);
    expect(sut.calendar).toMatchObject({ method: 'REQUEST', allDay: false });
    expect(sut.calendar?.uid).not.toBe('');
    expect(sut.calendar?.start).toBeInstanceOf(Date);
    expect(sut.attachments.some((a) => a.contentType === 'text/calendar')).toBe(true);
  });

  it('should keep parsing and report calendarError when the invitation is broken', async () => {
    const raw = await buildRawMessage({ icalEvent: { method: 'REQUEST', content: 'BEGIN:VCALENDAR\r\nthis is not ical\r\n' } });
    const sut = await parseMessage(chunkedSource(raw), options);
    expect(sut.calendar).toBeUndefined();
    expect(sut.calendarError).toMatch(/not iCalendar|calendar/);
    expect(sut.text).toBe('Hello');
  });

  it('should read the provider verdict when the message carries spam headers', async () => {
    const raw = rawFromLines('X-Spam-Flag: YES', 'X-Spam-Status: Yes, score=8.2 required=5.0', 'From: x@example.com', 'Subject: buy', '', 'spam');
    expect((await parseMessage(chunkedSource(raw), options)).spam).toEqual({ spam: true, source: 'x-spam-flag', score: 8.2 });
  });

  it('should cut text and html at maxBodyChars and flag it', async () => {
    const raw = await buildRawMessage({ text: 'a'.repeat(5000), html: `<p>${'b'.repeat(5000)}</p>` });
    const sut = await parseMessage(chunkedSource(raw), { timeoutMs: 10_000, maxBodyChars: 1000 });
    expect(sut.text).toHaveLength(1000);
    // the HTML is cut before sanitising, which closes the cut element
    expect(sut.html).toMatch(/^<p>b{997}<\/p>$/);
    expect(sut.truncated).toEqual({ text: true, html: true });
  });

  it('should leave date undefined when the Date header is garbage', async () => {
    const sut = await parseMessage(chunkedSource(rawFromLines('From: a@example.com', 'Date: yesterday-ish', '', 'x')), options);
    expect(sut.date).toBeUndefined();
  });

  it('should accept an async iterable of buffers as the source', async () => {
    const raw = await buildRawMessage();
    async function* source(): AsyncGenerator<Buffer> {
      yield raw.subarray(0, 10);
      yield raw.subarray(10);
    }
    expect((await parseMessage(source(), options)).subject).toBe('Test');
  });

  it('should throw EMPTY when the source has no bytes', async () => {
    await expectParseError(parseMessage(Readable.from([]), options), 'EMPTY');
  });

  it('should throw NO_HEADERS when the input is not mail at all', async () => {
    const error = await expectParseError(parseMessage(chunkedSource(Buffer.from('%PDF-1.4\nbinary junk\n\nmore')), options), 'NO_HEADERS');
    expect(error.reason).toBe('no header fields: not a mail message');
  });

  it('should time out and destroy the source when the source never ends', async () => {
    const source = new Readable({ read() {} });
    source.push('From: slow@example.com\r\nSubject: never ends\r\n\r\n');
    const error = await expectParseError(parseMessage(source, { timeoutMs: 200 }), 'TIMEOUT');
    expect(error.reason).toBe('timed out after 200 ms');
    expect(source.destroyed).toBe(true);
  });

  it('should pass a source error through unchanged when the store fails', async () => {
    const failure = new Error('store read failed');
    const source = new Readable({
      read() {
        this.destroy(failure);
      },
    });
    await expect(parseMessage(source, options)).rejects.toBe(failure);
  });

  it('should parse a 50 MB message with bounded memory when it has a large base64 attachment', async () => {
    const message = largeMessage({ attachmentBytes: 38 * 1024 * 1024 });
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
    }, 20);
    const sut = await parseMessage(message.source, { timeoutMs: 55_000 }).finally(() => clearInterval(sampler));
    const heapGrowthMb = (peakHeap - before.heapUsed) / 2 ** 20;
    const rssGrowthMb = (peakRss - before.rss) / 2 ** 20;
    console.info(`50 MB parse: raw ${(sut.size / 2 ** 20).toFixed(1)} MiB, peak heapUsed +${heapGrowthMb.toFixed(1)} MiB, peak rss +${rssGrowthMb.toFixed(1)} MiB`);
    expect(sut.size).toBe(message.expected.rawSize());
    expect(sut.size).toBeGreaterThan(50 * 1024 * 1024);
    expect(sut.attachments).toEqual([expect.objectContaining({ index: 0, filename: 'big.bin', size: message.expected.attachmentBytes })]);
    expect(heapGrowthMb).toBeLessThan(25);
    expect(rssGrowthMb).toBeLessThan(50);
  });
});
