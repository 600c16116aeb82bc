export const MAIL_PROTOCOLS = ['imap', 'pop3', 'smtp'] as const;
export type MailProtocol = (typeof MAIL_PROTOCOLS)[number];

/** The protocols mail is fetched with; SMTP only sends. */
export const RECEIVE_PROTOCOLS = ['imap', 'pop3'] as const satisfies readonly MailProtocol[];
export type ReceiveProtocol = (typeof RECEIVE_PROTOCOLS)[number];

/** `tls`: TLS from the first byte; `starttls`: upgrade before credentials; `none`: plaintext (trusted networks only). */
export const MAIL_SECURITIES = ['tls', 'starttls', 'none'] as const;
export type MailSecurity = (typeof MAIL_SECURITIES)[number];
