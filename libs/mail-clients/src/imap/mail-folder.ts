/** RFC 6154 special uses imapflow reports, plus its `\Inbox` for INBOX. */
export const MAIL_FOLDER_SPECIAL_USES = ['\\Inbox', '\\Sent', '\\Junk', '\\Trash', '\\Drafts', '\\Archive', '\\All', '\\Flagged'] as const;
export type MailFolderSpecialUse = (typeof MAIL_FOLDER_SPECIAL_USES)[number];

/** One IMAP folder as the admin picks it (which folders to fetch, where Sent and Junk are). */
export interface MailFolder {
  path: string;
  /** The last path segment. */
  name: string;
  delimiter: string;
  specialUse?: MailFolderSpecialUse;
  flags: string[];
  subscribed: boolean;
  /** False for \Noselect and \NonExistent: a folder that only holds other folders. */
  selectable: boolean;
}
