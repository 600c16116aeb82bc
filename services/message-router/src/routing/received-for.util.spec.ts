import { describe, expect, it } from 'vitest';
import { receivedForAddress } from './received-for.util';

describe(receivedForAddress.name, () => {
  it.each([
    [
      'Postfix',
      'from mail.sender.example (mail.sender.example [192.0.2.1]) by mx.example.com (Postfix) with ESMTPS id 4F2k9 for <anna@example.com>; Tue, 4 Mar 2025 10:00:00 +0100',
      'anna@example.com',
    ],
    ['a bare mailbox before the date', 'from a by b with SMTP id x for anna@example.com; Tue, 4 Mar 2025 10:00:00 +0100', 'anna@example.com'],
    ['upper-case FOR without a date', 'by mx.example.com with LMTP FOR <Bob@Example.com>', 'Bob@Example.com'],
    ['a source route', 'by mx with ESMTP for <@relay.example.net:anna@example.com>; Tue, 4 Mar 2025', 'anna@example.com'],
    [
      'Exim with a comment after the clause',
      'from [192.0.2.1] by mx.example.com with esmtps (TLS1.3) (Exim 4.96) (envelope-from <x@y.example>) id 1a for carl@example.com; Tue, 4 Mar 2025',
      'carl@example.com',
    ],
  ])('should read the for clause of %s', (_case, value, expected) => {
    expect(receivedForAddress(value)).toBe(expected);
  });

  it.each([
    ['no for clause', 'from a by b with ESMTP id 1; Tue, 4 Mar 2025 10:00:00 +0100'],
    ['for only inside a comment', 'from a (helo for <x@example.com>) by b with ESMTP; Tue, 4 Mar 2025'],
    ['for only in a host name', 'from for.example.com by for-mx.example.com; Tue, 4 Mar 2025'],
    ['an empty path', 'by b with ESMTP for <>; Tue, 4 Mar 2025'],
    ['qmail', '(qmail 1234 invoked by uid 89); 4 Mar 2025 09:00:00 -0000'],
    ['an empty value', ''],
  ])('should find nothing in a line with %s', (_case, value) => {
    expect(receivedForAddress(value)).toBeUndefined();
  });
});
