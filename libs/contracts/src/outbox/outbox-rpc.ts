import { rpcSubject } from '../rpc';

/** Request/reply operations of smtp-sender that the api calls (SPEC §4 Outbox). */
const sender = (operation: string): string => rpcSubject({ service: 'smtp-sender', operation });

export const SmtpSenderRpc = {
  createOutboxItem: sender('outbox.create'),
  getOutboxItem: sender('outbox.get'),
} as const;
