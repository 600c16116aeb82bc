import { describe, expect, it } from 'vitest';
import { isTemporaryLoginRefusal, parseListLine, parseStat, parseStatusLine, parseUidlLine, splitLines } from './pop3-response.util';

describe(parseStatusLine.name, () => {
  it.each([
    ['+OK Dovecot (Debian) ready.\r\n', { kind: 'ok', text: 'Dovecot (Debian) ready.', line: '+OK Dovecot (Debian) ready.' }],
    ['+OK\r\n', { kind: 'ok', text: '', line: '+OK' }],
    ['-ERR [AUTH] Authentication failed.\r\n', { kind: 'err', text: '[AUTH] Authentication failed.', line: '-ERR [AUTH] Authentication failed.' }],
    ['-ERR\n', { kind: 'err', text: '', line: '-ERR' }],
    ['+ \r\n', { kind: 'continue', text: '', line: '+ ' }],
    ['* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n', { kind: 'invalid', text: '* OK [CAPABILITY IMAP4rev1] Dovecot ready.', line: '* OK [CAPABILITY IMAP4rev1] Dovecot ready.' }],
    ['+OKAY\r\n', { kind: 'invalid', text: '+OKAY', line: '+OKAY' }],
  ])('should read %j', (line, expected) => {
    expect(parseStatusLine(Buffer.from(line))).toEqual(expected);
  });

  it('should quote at most 200 characters of a long line', () => {
    expect(parseStatusLine(`-ERR ${'x'.repeat(1_000)}\r\n`).line).toHaveLength(201);
  });
});

describe(splitLines.name, () => {
  it('should split CRLF and LF lines and drop the break', () => {
    expect(splitLines(Buffer.from('1 a\r\n2 b\n3 c\r\n'))).toEqual(['1 a', '2 b', '3 c']);
    expect(splitLines(Buffer.alloc(0))).toEqual([]);
  });
});

describe('scan listings', () => {
  it('should parse STAT, LIST and UIDL lines', () => {
    expect(parseStat('2 320')).toEqual({ count: 2, size: 320 });
    expect(parseListLine('1 120')).toEqual({ number: 1, size: 120 });
    expect(parseListLine('2 200 extra')).toEqual({ number: 2, size: 200 });
    expect(parseUidlLine('1 whqtswO00WBw418f9t5JxYwZ')).toEqual({ number: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' });
  });

  it.each(['', 'x 1', '1', '1 -5'])('should refuse the malformed STAT or LIST line %j', (line) => {
    expect(parseListLine(line)).toBeUndefined();
    expect(parseStat(line)).toBeUndefined();
  });

  it('should refuse message number 0 in a LIST line', () => {
    expect(parseListLine('0 10')).toBeUndefined();
  });

  it.each(['1', '0 abc', '1 two words', `1 ${'u'.repeat(71)}`, '1 ümlaut'])('should refuse the malformed UIDL line %j', (line) => {
    expect(parseUidlLine(line)).toBeUndefined();
  });
});

describe('isTemporaryLoginRefusal', () => {
  it.each(['-ERR [IN-USE] Mailbox locked by another session', '-ERR [LOGIN-DELAY] wait 5 minutes', '-ERR [SYS/TEMP] try again later'])('should call %s temporary', (response) => {
    expect(isTemporaryLoginRefusal(response)).toBe(true);
  });

  it.each(['-ERR [AUTH] Authentication failed.', '-ERR Invalid login', '-ERR [SYS/PERM] account closed'])('should not call %s temporary', (response) => {
    expect(isTemporaryLoginRefusal(response)).toBe(false);
  });
});
