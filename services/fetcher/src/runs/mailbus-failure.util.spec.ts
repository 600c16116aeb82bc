import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MailConnectionError } from '@mailbus/mail-clients';
import { BlobBusyError, blobId } from '@mailbus/mongo-dal';
import { RequestError, TimeoutError } from '@nats-io/nats-core';
import { isMailbusFailure } from './mailbus-failure.util';

describe('isMailbusFailure', () => {
  it("should recognise the store's and NATS's failures, also as the cause of another error", () => {
    expect(isMailbusFailure(new MongoNetworkError('read ECONNRESET'))).toBe(true);
    expect(isMailbusFailure(new MongoServerError({ message: 'write refused', code: 2 }))).toBe(true);
    expect(isMailbusFailure(new TimeoutError())).toBe(true);
    expect(isMailbusFailure(new RequestError('no responders'))).toBe(true);
    expect(isMailbusFailure(new BlobBusyError(blobId('raw-1'), 'another upload holds it'))).toBe(true);
    expect(isMailbusFailure(new Error('storing message 7 failed', { cause: new MongoNetworkError('connection closed') }))).toBe(true);
  });

  it("should leave the mail server's failures and plain errors to the account", () => {
    expect(isMailbusFailure(new MailConnectionError({ errorClass: 'auth', message: 'AUTHENTICATIONFAILED' }))).toBe(false);
    // The same text a store socket gives, from a mail server's socket.
    expect(isMailbusFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isMailbusFailure('a string')).toBe(false);
    expect(isMailbusFailure(undefined)).toBe(false);
  });
});
