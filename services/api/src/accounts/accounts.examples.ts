/** Request and response examples for the OpenAPI document. */
export const createAccountExample = {
  name: 'Sales shared mailbox',
  email: 'sales@example.com',
  displayName: 'Example Ltd. Sales',
  replyTo: 'sales@example.com',
  owners: ['q7Yc2tVfS9uN3r1HkXo0bA'],
  senders: ['R4nT6wY8zA1cE3gI5kM7oQ'],
  serviceEnabled: true,
  receive: {
    enabled: true,
    protocol: 'imap',
    host: 'imap.example.com',
    port: 0,
    security: 'tls',
    username: 'sales@example.com',
    password: 'app-password',
    folders: ['INBOX', 'Sent'],
    deleteAfterDays: 0,
    onlySinceDays: 30,
    intervalSeconds: 300,
    activeHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '20:00', timeZone: 'Europe/Berlin' },
    multidrop: false,
  },
  send: { enabled: true, host: 'smtp.example.com', port: 587, security: 'starttls', username: 'sales@example.com', password: 'app-password', appendToSent: 'auto' },
  signature: { text: '--\nExample Ltd. Sales\n+49 30 1234567', html: '<p>--<br>Example Ltd. Sales<br>+49 30 1234567</p>' },
  archiveBcc: 'archive@example.com',
};

export const multidropAccountExample = {
  name: 'Catch-all',
  email: 'all@example.com',
  owners: ['q7Yc2tVfS9uN3r1HkXo0bA'],
  receive: { protocol: 'pop3', host: 'pop.example.com', security: 'tls', username: 'all@example.com', password: 'secret', multidrop: { enabled: true, envelopeHeader: 'Delivered-To', skip: 1 } },
};

const { password: _receivePassword, ...receiveView } = createAccountExample.receive;
const { password: _sendPassword, ...sendView } = createAccountExample.send;

export const accountExample = {
  id: 'K2pV9xR4tY6uI8oP0aS2dF',
  revision: 1,
  ...createAccountExample,
  priority: false,
  receive: { ...receiveView, passwordSet: true, leaveOnServer: false, multidrop: { enabled: false, envelopeHeader: 'auto', skip: 0 } },
  send: { ...sendView, passwordSet: true },
  createdAt: '2026-11-22T09:30:00.000Z',
  updatedAt: '2026-11-22T09:30:00.000Z',
};

export const connectionTestExample = {
  receive: { outcome: 'ok', message: 'logged in', protocol: 'imap', host: 'imap.example.com', port: 993, durationMs: 212 },
  send: { outcome: 'auth', message: '535 5.7.8 Error: authentication failed: authentication failure', protocol: 'smtp', host: 'smtp.example.com', port: 587, durationMs: 340 },
};

export const foldersExample = [
  { path: 'INBOX', name: 'INBOX', delimiter: '/', flags: ['\\HasNoChildren'], specialUse: '\\Inbox', subscribed: true, selectable: true },
  { path: 'Sent', name: 'Sent', delimiter: '/', flags: ['\\HasNoChildren', '\\Sent'], specialUse: '\\Sent', subscribed: true, selectable: true },
  { path: 'Junk', name: 'Junk', delimiter: '/', flags: ['\\HasNoChildren', '\\Junk'], specialUse: '\\Junk', subscribed: true, selectable: true },
];

export const syncStatusExample = {
  accountId: 'K2pV9xR4tY6uI8oP0aS2dF',
  state: 'error',
  lastRunAt: '2026-11-22T09:35:00.000Z',
  lastSuccessAt: '2026-11-22T09:30:00.000Z',
  nextRunAt: '2026-11-22T09:45:00.000Z',
  error: { class: 'auth', message: '[AUTHENTICATIONFAILED] Authentication failed.', at: '2026-11-22T09:35:01.000Z' },
  consecutiveFailures: 2,
  lastRun: { fetched: 12, skippedMessages: 0, failedFolders: 0, more: false },
  fetchedTotal: 18_204,
  idleSince: '2026-11-22T08:00:00.000Z',
  folders: [
    { path: 'INBOX', uidValidity: 1732262400, lastUid: 4711, highestModseq: '9812', updatedAt: '2026-11-22T09:30:02.000Z' },
    { path: 'Projects', uidValidity: 1732262977, lastUid: 120, parked: { at: '2026-11-22T07:12:00.000Z', reason: 'UIDVALIDITY changed 3 times within 24 hours (now 1732262977, stored 1732262901); re-linking it again and again risks duplicates' }, updatedAt: '2026-11-22T07:12:00.000Z' },
  ],
};
