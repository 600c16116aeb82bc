export { MAIL_PROTOCOLS, RECEIVE_PROTOCOLS, MAIL_SECURITIES, type MailProtocol, type ReceiveProtocol, type MailSecurity } from './mail-protocols.constants';
export { defaultPort, resolvePort, portSecurityMismatch, type MailEndpoint } from './mail-ports.util';
export { normalizeAddress, normalizeRecipientAddress, isCatchAllAddress, addressKey } from './address.util';
export { InvalidAddressError } from './invalid-address.error';
export { CONNECTION_ERROR_CLASSES, type ConnectionErrorClass } from './connection-error-classes.constants';
export { classifyConnectionError, type ClassifiedError } from './classify-connection-error.util';
export type { MailServerSettings } from './mail-server-settings';
