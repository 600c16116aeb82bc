import { describe, expect, it } from 'vitest';
import { redactNatsUrl } from './redact-nats-url.util';

describe(redactNatsUrl.name, () => {
  it('should hide the password and the token when the URLs carry credentials', () => {
    expect(redactNatsUrl('nats://mailbus:s3cret@nats-0:4222,nats://token123@nats-1:4222')).toBe('nats://mailbus:***@nats-0:4222,nats://***@nats-1:4222');
  });

  it('should leave the URL unchanged when it has no credentials', () => {
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});
