import type { SenderAccount, SenderUser } from '../../src/selection';

let sequence = 0;

/** An account that can send, created at a fixed time unless told otherwise. */
export const senderAccountFactory = (override: Partial<SenderAccount> = {}): SenderAccount => {
  sequence += 1;
  return {
    id: `acc-${sequence}`,
    email: `account-${sequence}@company.example`,
    owners: [],
    senders: [],
    serviceEnabled: true,
    send: { enabled: true },
    createdAt: new Date('2025-01-01T00:00:00Z'),
    ...override,
  };
};

export const senderUserFactory = (override: Partial<SenderUser> = {}): SenderUser => ({ id: 'anna', displayName: 'Anna Berger', addresses: ['anna@company.example'], ...override });
