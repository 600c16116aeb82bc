import { z } from 'zod';
import { emailAddressField, entityIdField, folderPathField, hostField, portField, secretField, securityField } from './field.schemas';

export const RECEIVE_PROTOCOLS = ['imap', 'pop3'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Headers that carry the envelope recipient on a multidrop mailbox; `auto` tries them in this order. */
export const ENVELOPE_HEADERS = ['auto', 'Delivered-To', 'X-Original-To', 'Envelope-To', 'Received'] as const;
export type EnvelopeHeader = (typeof ENVELOPE_HEADERS)[number];
/** `auto`: append to Sent unless the provider files SMTP-sent mail itself (Gmail, Microsoft 365). */
export const APPEND_TO_SENT = ['auto', 'always', 'never'] as const;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24 h)');

/** When the fetcher may run; `from` later than `to` spans midnight. */
export const activeHoursSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS, { errorMap: () => ({ message: `must be one of ${WEEKDAYS.join(', ')}` }) })).min(1).default([...WEEKDAYS]),
    from: clockTime,
    to: clockTime,
    timeZone: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  })
  .strict()
  .refine((hours) => hours.from !== hours.to, { message: 'from and to must differ', path: ['to'] });

/** One mailbox collecting for many addresses: route by envelope recipient, skipping the mailbox's own. */
export const multidropSchema = z.preprocess(
  (value) => (typeof value === 'boolean' ? { enabled: value } : value),
  z
    .object({
      enabled: z.boolean().default(false),
      envelopeHeader: z.enum(ENVELOPE_HEADERS).default('auto'),
      /** Occurrences of the header to skip (the grabbing mailbox's own delivery adds one). */
      skip: z.number().int().min(0).max(10).default(0),
    })
    .strict(),
);

const receiveFields = {
  enabled: z.boolean().default(true),
  protocol: z.enum(RECEIVE_PROTOCOLS, { errorMap: () => ({ message: 'must be imap or pop3' }) }),
  host: hostField,
  port: portField.default(0),
  security: securityField.default('tls'),
  username: z.string().min(1, 'is required').max(320),
  password: secretField.optional(),
  folders: z.array(folderPathField).min(1, 'needs at least one folder').max(200).default(['INBOX']),
  /** POP3 only: keep messages on the server after fetching (then deleteAfterDays applies). */
  leaveOnServer: z.boolean().default(false),
  /** Delete on the server (Inbox, Junk, Sent) after this many days; 0 = never. */
  deleteAfterDays: z.number().int().min(0).max(36_500).default(0),
  /** First sync fetches only the last N days. */
  onlySinceDays: z.number().int().min(1).max(36_500).optional(),
  intervalSeconds: z.number().int().min(30, 'must be at least 30 seconds').max(86_400).default(300),
  activeHours: activeHoursSchema.optional(),
  multidrop: multidropSchema.default({ enabled: false }),
  /** IMAP only: a spam mark creates a Junk folder on a server that has none (else the mark stays in mailbus). */
  createJunkFolder: z.boolean().default(true),
};

const sendFields = {
  enabled: z.boolean().default(true),
  host: hostField,
  port: portField.default(0),
  security: securityField.default('tls'),
  /** Optional: some relays accept mail without authentication. */
  username: z.string().min(1).max(320).optional(),
  password: secretField.optional(),
  appendToSent: z.enum(APPEND_TO_SENT).default('auto'),
  /** The server folder for sent mail; default: the folder with \Sent, else a well-known name. */
  sentFolder: folderPathField.optional(),
};

export const receiveSettingsSchema = z.object(receiveFields).strict();
export const sendSettingsSchema = z.object(sendFields).strict();
export const signatureSchema = z.object({ text: z.string().max(10_000).optional(), html: z.string().max(100_000).optional() }).strict();

const accountFields = {
  name: z.string().trim().min(1, 'is required').max(200),
  email: emailAddressField,
  displayName: z.string().trim().max(200).optional(),
  replyTo: emailAddressField.optional(),
  note: z.string().max(5_000).optional(),
  owners: z.array(entityIdField).min(1, 'needs at least one owner').max(1000),
  /** Users allowed to send with this account besides its owners. */
  senders: z.array(entityIdField).max(10_000).default([]),
  /** The service switch: a disabled account is neither fetched nor used for sending. */
  serviceEnabled: z.boolean().default(true),
  /** Fetched before others when there is a backlog. */
  priority: z.boolean().default(false),
  receive: receiveSettingsSchema.optional(),
  send: sendSettingsSchema.optional(),
  signature: signatureSchema.default({}),
  /** Every mail sent with this account is also delivered to this address (envelope only). */
  archiveBcc: emailAddressField.optional(),
};

export const createAccountSchema = z.object(accountFields).strict();
export type CreateAccountInput = z.input<typeof createAccountSchema>;
export type AccountSettings = z.output<typeof createAccountSchema>;
export type ReceiveSettings = z.output<typeof receiveSettingsSchema>;
export type SendSettings = z.output<typeof sendSettingsSchema>;

/**
 * A partial update, merged into the stored account: nested objects merge field by field, arrays are
 * replaced, `null` removes an optional field (a whole receive/send side, a password, a note).
 */
/**
 * A PATCH's nested objects stay partial, without their defaults: a default filled into `{ multidrop: {
 * skip: 2 } }` would overwrite what is stored (multidrop switched off). The merged account is parsed with
 * createAccountSchema, which fills defaults where nothing is stored. `multidrop: true` is short for
 * `{ enabled: true }`, as on create.
 */
const multidropPatchSchema = z.preprocess((value) => (typeof value === 'boolean' ? { enabled: value } : value), multidropSchema.innerType().partial());

export const updateAccountSchema = z
  .object({
    ...accountFields,
    displayName: accountFields.displayName.nullable(),
    replyTo: emailAddressField.nullable(),
    note: accountFields.note.nullable(),
    archiveBcc: emailAddressField.nullable(),
    receive: z
      .object({ ...receiveFields, password: secretField.nullable(), onlySinceDays: receiveFields.onlySinceDays.nullable(), activeHours: activeHoursSchema.innerType().partial().nullable(), multidrop: multidropPatchSchema })
      .partial()
      .strict()
      .nullable(),
    send: z
      .object({ ...sendFields, username: sendFields.username.nullable(), password: secretField.nullable(), sentFolder: folderPathField.nullable() })
      .partial()
      .strict()
      .nullable(),
    signature: z.object({ text: z.string().max(10_000).nullable(), html: z.string().max(100_000).nullable() }).partial().strict(),
  })
  .partial()
  .strict();
export type UpdateAccountInput = z.input<typeof updateAccountSchema>;
export type UpdateAccountRequest = z.output<typeof updateAccountSchema>;

/** Connection settings to try before saving them (POST /v1/accounts/test). */
export const testSettingsSchema = z.object({ receive: receiveSettingsSchema.optional(), send: sendSettingsSchema.optional() }).strict();
export type TestSettingsInput = z.input<typeof testSettingsSchema>;

type WithoutPassword<T> = Omit<T, 'password'> & { passwordSet: boolean };

/** An account as the API shows it: secrets are replaced by whether one is set. */
export type AccountView = Omit<AccountSettings, 'receive' | 'send'> & {
  id: string;
  revision: number;
  receive?: WithoutPassword<ReceiveSettings>;
  send?: WithoutPassword<SendSettings>;
  createdAt: string;
  updatedAt: string;
};

export const listQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** The last id of the previous page. */
    after: entityIdField.optional(),
  })
  .strict();
export type ListQuery = z.output<typeof listQuerySchema>;
export type Page<T> = { items: T[]; next?: string };

export const accountIdParams = z.object({ id: entityIdField });
