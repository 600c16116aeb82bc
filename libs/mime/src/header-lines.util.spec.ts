import { describe, expect, it } from 'vitest';
import { firstMessageId, parseDateHeader, parseMessageIds, toHeaderLines } from './header-lines.util';

describe(toHeaderLines.name, () => {
  it('should unfold values, lower-case keys and keep encoded words undecoded', () => {
    const sut = toHeaderLines([
      { key: 'subject', line: 'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n and more' },
      { key: 'x-long', line: 'X-Long: a\n\tb' },
    ]);
    expect(sut).toEqual([
      { key: 'subject', value: '=?utf-8?q?Gr=C3=BC=C3=9Fe?= and more' },
      { key: 'x-long', value: 'a\tb' },
    ]);
  });

  it('should read raw 8-bit UTF-8 and keep other bytes as latin1 when they are not UTF-8', () => {
    const utf8 = Buffer.from('Subject: Grüße', 'utf8').toString('latin1');
    const latin1 = Buffer.from('Subject: Grüße', 'latin1').toString('latin1');
    expect(toHeaderLines([{ key: 'subject', line: utf8 }])[0]!.value).toBe('Grüße');
    expect(toHeaderLines([{ key: 'subject', line: latin1 }])[0]!.value).toBe('Grüße');
  });

  it('should drop lines without a field name when the header section has junk', () => {
    expect(toHeaderLines([{ key: '', line: 'just text' }])).toEqual([]);
  });
});

describe(parseMessageIds.name, () => {
  it('should list ids in order and ignore comments and junk when the header is messy', () => {
    expect(parseMessageIds('<a@x> (comment <c@x>)\r\n <b @x> junk')).toEqual(['<a@x>', '<b@x>']);
    expect(parseMessageIds(undefined)).toEqual([]);
  });
});

describe(firstMessageId.name, () => {
  it('should bracket a bare id when the sender forgot the brackets', () => {
    expect(firstMessageId('abc@example.com')).toBe('<abc@example.com>');
    expect(firstMessageId('<a@x> <b@x>')).toBe('<a@x>');
    expect(firstMessageId('no id here')).toBeUndefined();
  });
});

describe(parseDateHeader.name, () => {
  it('should read RFC 5322 dates with comments and give undefined when unreadable', () => {
    expect(parseDateHeader('Fri, 1 Nov 2002 06:20:26 -0500 (EST)')?.toISOString()).toBe('2002-11-01T11:20:26.000Z');
    expect(parseDateHeader('garbage')).toBeUndefined();
    expect(parseDateHeader(undefined)).toBeUndefined();
  });
});
