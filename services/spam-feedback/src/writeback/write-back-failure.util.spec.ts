import { describe, expect, it } from 'vitest';
import { TimeoutError } from '@nats-io/nats-core';
import { MongoNetworkError } from 'mongodb';
import { RetryLaterError } from '@mailbus/nats-transport';
import { writebackFailure } from './write-back-failure.util';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:993'), { code: 'ECONNREFUSED' });
const badLogin = Object.assign(new Error('Command failed'), { authenticationFailed: true, responseText: 'Authentication failed.' });

describe(writebackFailure.name, () => {
  it('should hand a connection failure back while attempts are left', () => {
    expect(writebackFailure({ error: refused, attempt: 1, maxAttempts: 4 })).toEqual({ retry: true, error: refused });
  });

  it('should give up on a connection failure at the last attempt, saying how often it tried', () => {
    expect(writebackFailure({ error: refused, attempt: 4, maxAttempts: 4 })).toMatchObject({ retry: false, errorClass: 'connect', reason: expect.stringMatching(/^connect: .*\(after 4 attempts\)$/) });
  });

  it('should give up on a refused login at once: another attempt cannot fix the password', () => {
    expect(writebackFailure({ error: badLogin, attempt: 1, maxAttempts: 4 })).toMatchObject({ retry: false, errorClass: 'auth', reason: expect.stringContaining('Authentication failed') });
  });

  it('should always hand back a come-back-later, even at the last attempt', () => {
    const later = new RetryLaterError(5_000, 'every connection slot of imap.example.com is taken');
    expect(writebackFailure({ error: later, attempt: 9, maxAttempts: 4 })).toEqual({ retry: true, error: later });
  });

  it('should always hand back an event that failed because the store or NATS is away: no fault of the mail server', () => {
    for (const away of [new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'), new TimeoutError()]) expect(writebackFailure({ error: away, attempt: 9, maxAttempts: 4 })).toEqual({ retry: true, error: away });
  });
});
