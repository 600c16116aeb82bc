import { describe, expect, it } from 'vitest';
import { isBusUnavailable } from './errors/bus-error.util';
import { resolveJetStreamOptions } from './jetstream-module.options';

describe(resolveJetStreamOptions.name, () => {
  it('should fill in the defaults when only servers and service are given', () => {
    expect(resolveJetStreamOptions({ servers: 'nats://127.0.0.1:4222', service: 'message-router' })).toEqual({
      servers: 'nats://127.0.0.1:4222',
      service: 'message-router',
      connectionName: 'mailbus-message-router',
      maxDeliver: 5,
      backoffMs: [1_000, 5_000, 30_000, 120_000],
      ackWaitMs: 30_000,
      duplicateWindowMs: 600_000,
      shutdownGraceMs: 10_000,
      streamReplicas: 1,
      isOutage: isBusUnavailable,
    });
  });

  it('should keep explicit settings and ignore undefined ones', () => {
    expect(resolveJetStreamOptions({ servers: 'nats://a:4222', service: 'fetcher', maxDeliver: 2, backoffMs: [10], shutdownGraceMs: undefined })).toMatchObject({
      maxDeliver: 2,
      backoffMs: [10],
      shutdownGraceMs: 10_000,
    });
  });

  it('should name every problem when the settings are unusable', () => {
    expect(() => resolveJetStreamOptions({ servers: ' ', service: 'message.router', maxDeliver: 0, backoffMs: [], streamReplicas: 7 })).toThrow(
      'invalid JetStream options: servers is empty; service "message.router" may only contain letters, digits, "-" and "_"; maxDeliver must be a positive integer; backoffMs must list at least one delay; streamReplicas must be between 1 and 5',
    );
  });
});
