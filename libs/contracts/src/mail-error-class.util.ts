import { MailErrorClass } from './gen/mailbus/v1/mailbox_pb';

const BY_NAME: Record<string, MailErrorClass> = {
  dns: MailErrorClass.DNS,
  connect: MailErrorClass.CONNECT,
  tls: MailErrorClass.TLS,
  auth: MailErrorClass.AUTH,
  protocol: MailErrorClass.PROTOCOL,
  timeout: MailErrorClass.TIMEOUT,
  quota: MailErrorClass.QUOTA,
  rejected: MailErrorClass.REJECTED,
  configuration: MailErrorClass.CONFIGURATION,
};

/**
 * The event enum for an error class name as the services classify them (connection tests, fetch
 * runs, SMTP sends); a name it does not know is UNKNOWN.
 * @example mailErrorClass('auth') // MailErrorClass.AUTH
 */
export const mailErrorClass = (name: string): MailErrorClass => BY_NAME[name] ?? MailErrorClass.UNKNOWN;
