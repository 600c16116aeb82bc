import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { binaryContent, composeInputFactory } from '../../test/factories/compose-input.factory';
import { buildEnvelope, composeMessage, toMessageId } from './compose-message.util';

const headerSection = (raw: Buffer): string => raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
const firstAddress = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value[0] : value)?.value[0];

describe(composeMessage.name, () => {
  it('should build identical bytes when composed twice from the same input', async () => {
    const [first, second] = await Promise.all([composeMessage(composeInputFactory()), composeMessage(composeInputFactory())]);
    expect(first.raw.equals(second.raw)).toBe(true);
    expect(first.raw.toString('latin1')).toMatch(/boundary="--_NmP-[0-9a-f]{24}-Part_1"/);
  });

  it('should draw other boundaries when the content differs', async () => {
    const boundary = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString('latin1'))?.[1];
    const [first, second] = await Promise.all([composeMessage(composeInputFactory()), composeMessage(composeInputFactory({ text: 'Other text' }))]);
    expect(boundary(first.raw)).not.toBe(boundary(second.raw));
  });

  it('should write From with display name, Reply-To, Message-ID, Date, In-Reply-To and References when given', async () => {
    const sut = await composeMessage(composeInputFactory());
    const parsed = await simpleParser(sut.raw);
    expect(firstAddress(parsed.from)).toEqual({ address: 'sales@company.example', name: 'ACME Sales' });
    expect(firstAddress(parsed.replyTo)).toEqual({ address: 'replies@company.example', name: 'ACME Sales' });
    expect(firstAddress(parsed.to)).toEqual({ address: 'bob@customer.example', name: 'Bob Customer' });
    expect(firstAddress(parsed.cc)).toEqual({ address: 'carl@customer.example', name: '' });
    expect(parsed.messageId).toBe('<out-42@mailbus.company.example>');
    expect(sut.messageId).toBe('<out-42@mailbus.company.example>');
    expect(parsed.date?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(parsed.inReplyTo).toBe('<request-1@customer.example>');
    expect(parsed.references).toEqual(['<thread-0@customer.example>', '<request-1@customer.example>']);
    expect(headerSection(sut.raw)).toContain('Date: Sat, 01 Mar 2025 10:00:00 +0000');
  });

  it('should keep Bcc and archive addresses out of the headers and the body when they are in the envelope', async () => {
    const sut = await composeMessage(composeInputFactory());
    const text = sut.raw.toString('latin1');
    expect(headerSection(sut.raw)).not.toMatch(/^bcc:/im);
    for (const hidden of ['secret@partner.example', 'Secret Partner', 'archive@company.example', 'archive-sales@company.example']) expect(text).not.toContain(hidden);
    expect((await simpleParser(sut.raw)).bcc).toBeUndefined();
  });

  it('should put To, Cc, Bcc and the archive addresses in the envelope when composing', async () => {
    const sut = await composeMessage(composeInputFactory());
    expect(sut.envelope).toEqual({
      from: 'sales@company.example',
      to: ['bob@customer.example', 'carl@customer.example', 'secret@partner.example', 'archive@company.example', 'archive-sales@company.example'],
    });
  });

  it('should end every line with CRLF, also those of a text and signature written with bare LFs, so that the stored bytes are the ones SMTP delivers', async () => {
    const { raw } = await composeMessage(composeInputFactory({ text: 'Hello Bob,\n\nhere is the offer.\n', html: '<p>Hello</p>\n<p>Bob</p>' }));
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n|^\n/);
    expect((await simpleParser(raw)).text).toBe('Hello Bob,\n\nhere is the offer.\n\n-- \nACME Sales\nwww.acme.example');
  });

  it('should replace the user signature in text and html when the account has one', async () => {
    const parsed = await simpleParser((await composeMessage(composeInputFactory())).raw);
    expect(parsed.text).toBe('Hello Bob,\n\nhere is the offer.\n\n-- \nACME Sales\nwww.acme.example');
    expect(parsed.html).toBe('<html><body><p>Hello Bob,</p><p>here is the offer.</p><div data-mailbus-signature="account"><p><b>ACME Sales</b></p></div></body></html>');
  });

  it('should append the account signature when the bodies have no user signature', async () => {
    const sut = await composeMessage(composeInputFactory({ text: 'Hello Bob', html: '<html><body><p>Hello Bob</p></body></html>' }));
    const parsed = await simpleParser(sut.raw);
    expect(parsed.text).toBe('Hello Bob\n\n-- \nACME Sales\nwww.acme.example');
    expect(parsed.html).toBe('<html><body><p>Hello Bob</p><div data-mailbus-signature="account"><p><b>ACME Sales</b></p></div></body></html>');
  });

  it('should convert the one signature the account has when the other part needs it', async () => {
    const parsed = await simpleParser((await composeMessage(composeInputFactory({ signature: { text: 'ACME & Co' } }))).raw);
    expect(parsed.text).toContain('-- \nACME & Co');
    expect(parsed.html).toContain('<div data-mailbus-signature="account">ACME &amp; Co</div>');
  });

  it('should keep the user signature when the account has none', async () => {
    const input = composeInputFactory({ signature: {} });
    const parsed = await simpleParser((await composeMessage(input)).raw);
    expect(parsed.text).toBe(input.text);
    expect(parsed.html).toBe(input.html);
  });

  it('should round-trip attachments byte for byte when composed', async () => {
    const attachments = [
      { filename: 'offer.bin', contentType: 'application/octet-stream', content: binaryContent() },
      { filename: 'Angebot März – 2025.pdf', contentType: 'application/pdf', content: Buffer.concat([Buffer.from('%PDF-1.7\r\n'), binaryContent(3_000)]) },
      { filename: 'notes.txt', contentType: 'text/plain', content: Buffer.from('Zeile 1\r\nÄnderung\n\x00end', 'utf8') },
    ];
    const parsed = await simpleParser((await composeMessage(composeInputFactory({ attachments }))).raw);
    expect(parsed.attachments.map(({ filename, contentType }) => [filename, contentType])).toEqual(attachments.map(({ filename, contentType }) => [filename, contentType]));
    parsed.attachments.forEach((attachment, index) => expect(attachment.content.equals(attachments[index]?.content ?? Buffer.alloc(0))).toBe(true));
  });

  it('should send a forwarded message that is not valid 7bit wire text byte for byte, as base64 under its file name', async () => {
    // LF-only lines, a bare CR, a line of 1,200 octets and 8-bit bytes: written as it is, the wire would change every one.
    const forwarded = Buffer.concat([Buffer.from('Subject: x\n\nhello\rworld\n'), Buffer.from('y'.repeat(1_200)), Buffer.from([0x0a, 0xff, 0x00]), Buffer.from('end')]);
    const { raw } = await composeMessage(composeInputFactory({ attachments: [{ filename: 'fwd.eml', contentType: 'message/rfc822', content: forwarded }] }));

    expect(Math.max(...raw.toString('latin1').split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
    const parsed = await simpleParser(raw);
    expect(raw.toString('latin1')).toContain('Content-Type: application/octet-stream; name=fwd.eml\r\nContent-Transfer-Encoding: base64\r\n');
    expect(parsed.attachments.map(({ filename }) => filename)).toEqual(['fwd.eml']);
    expect(parsed.attachments[0]?.content.equals(forwarded)).toBe(true);
  });

  it('should keep a forwarded message that is valid 7bit wire text as message/rfc822, unchanged', async () => {
    const forwarded = Buffer.from('From: a@example.com\r\nSubject: forwarded\r\n\r\nHello,\r\nsee below.\r\n');
    const { raw } = await composeMessage(composeInputFactory({ attachments: [{ filename: 'fwd.eml', contentType: 'message/rfc822', content: forwarded }] }));

    const text = raw.toString('latin1');
    expect(text).toMatch(/Content-Type: message\/rfc822[^]*?Content-Transfer-Encoding: 7bit/);
    expect(raw.includes(forwarded)).toBe(true);
  });

  it('should encode UTF-8 subjects and display names when they are not ASCII', async () => {
    const sut = await composeMessage(
      composeInputFactory({
        subject: 'Grüße aus Köln – Angebot 👋',
        from: { address: 'juergen@müller.example', name: 'Jürgen Müller' },
        to: [{ address: 'bob@customer.example', name: 'Börje "B" Öberg' }],
      }),
    );
    const headers = headerSection(sut.raw);
    expect([...headers].every((char) => char.charCodeAt(0) < 0x80)).toBe(true);
    expect(headers).toContain('<juergen@xn--mller-kva.example>');
    const parsed = await simpleParser(sut.raw);
    expect(parsed.subject).toBe('Grüße aus Köln – Angebot 👋');
    expect(firstAddress(parsed.from)).toEqual({ address: 'juergen@müller.example', name: 'Jürgen Müller' });
    expect(firstAddress(parsed.to)).toEqual({ address: 'bob@customer.example', name: 'Börje "B" Öberg' });
  });

  it('should compose a text-only message without attachments when only text is given', async () => {
    const sut = await composeMessage(composeInputFactory({ html: undefined, attachments: [], cc: undefined, replyTo: undefined, inReplyTo: undefined, references: undefined }));
    const headers = headerSection(sut.raw);
    expect(headers).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(headers).not.toMatch(/^(Cc|Reply-To|In-Reply-To|References):/im);
  });
});

describe(buildEnvelope.name, () => {
  it('should list each recipient once by address key and normalise IDN domains when building', () => {
    const sut = buildEnvelope({
      from: { address: 'anna@company.example' },
      envelopeFrom: 'Sales@Company.example',
      to: [{ address: 'bob@müller.example' }],
      cc: [{ address: 'BOB@xn--mller-kva.example' }, { address: 'carl@customer.example' }],
      bcc: [{ address: 'carl@CUSTOMER.example' }],
      archiveBcc: ['archive@company.example', 'Archive@company.example'],
    });
    expect(sut).toEqual({ from: 'Sales@company.example', to: ['bob@xn--mller-kva.example', 'carl@customer.example', 'archive@company.example'] });
  });

  it('should use the From address for MAIL FROM when no envelope sender is given', () => {
    expect(buildEnvelope({ from: { address: 'anna@company.example' }, to: [{ address: 'bob@customer.example' }] }).from).toBe('anna@company.example');
  });
});

describe(toMessageId.name, () => {
  it.each([
    ['abc@mailbus.example', '<abc@mailbus.example>'],
    [' <abc@mailbus.example> ', '<abc@mailbus.example>'],
  ])('should give %j angle brackets', (input, expected) => {
    expect(toMessageId(input)).toBe(expected);
  });

  it.each(['', '<>', 'a b@example', '<a<b@example>', 'no-at-sign', '@example.com', 'abc@', '<abc@example.com', 'abc@example.com>', 'äbc@example.com', 'abc@example.com\r\nBcc: x@example.org'])('should refuse %j when it is not a Message-ID', (input) => {
    expect(() => toMessageId(input)).toThrow(RangeError);
  });
});
