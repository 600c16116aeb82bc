import type { HeaderLine, MailAddress, RoutingAccount, RoutingInput } from '../../src/routing';

/** `Name <address>` or a bare address as a MailAddress. */
export const mailAddress = (address: string, name = ''): MailAddress => ({ address, name });

/** Header lines from `Name: value` strings, top first. */
export const headerLines = (...lines: string[]): HeaderLine[] =>
  lines.map((line) => {
    const colon = line.indexOf(':');
    return { key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
  });

export const routingAccountFactory = (override: Partial<RoutingAccount> = {}): RoutingAccount => ({
  id: 'acc-1',
  owners: ['owner'],
  multidrop: { enabled: false, envelopeHeader: 'auto', skip: 0 },
  ...override,
});

export const multidropAccountFactory = (multidrop: Partial<RoutingAccount['multidrop']> = {}): RoutingAccount =>
  routingAccountFactory({ multidrop: { enabled: true, envelopeHeader: 'auto', skip: 0, ...multidrop } });

export const routingInputFactory = (override: Partial<RoutingInput> = {}): RoutingInput => ({
  account: routingAccountFactory(),
  folderRole: 'inbox',
  headers: [],
  to: [],
  cc: [],
  bcc: [],
  spam: false,
  ...override,
});
