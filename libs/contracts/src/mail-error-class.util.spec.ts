import { describe, expect, it } from 'vitest';
import { MailErrorClass } from './gen/mailbus/v1/mailbox_pb';
import { mailErrorClass } from './mail-error-class.util';

describe(mailErrorClass.name, () => {
  it.each([
    ['dns', MailErrorClass.DNS],
    ['auth', MailErrorClass.AUTH],
    ['quota', MailErrorClass.QUOTA],
    ['rejected', MailErrorClass.REJECTED],
    ['something new', MailErrorClass.UNKNOWN],
  ])('should map %s', (name, expected) => {
    expect(mailErrorClass(name)).toBe(expected);
  });
});
