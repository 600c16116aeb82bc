/**
 * What went wrong talking to a mail server, in words an admin can act on:
 * `dns` the host name does not resolve; `connect` nothing answers on the port (or it hung up);
 * `tls` the handshake or the certificate failed; `auth` the server refused the credentials;
 * `protocol` the server answered, but not as expected; `timeout` it did not answer in time.
 */
export const CONNECTION_ERROR_CLASSES = ['dns', 'connect', 'tls', 'auth', 'protocol', 'timeout'] as const;
export type ConnectionErrorClass = (typeof CONNECTION_ERROR_CLASSES)[number];
