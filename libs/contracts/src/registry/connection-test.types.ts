/**
 * `ok`, or what went wrong: name resolution, TCP, TLS, credentials, an unexpected answer, no answer in
 * time; or `busy`: not tried, because mailbus's own connections held every slot of the host
 * (HOST_CONNECTION_CAP) for as long as the test may take.
 */
export const CONNECTION_TEST_OUTCOMES = ['ok', 'dns', 'connect', 'tls', 'auth', 'protocol', 'timeout', 'busy'] as const;
export type ConnectionTestOutcome = (typeof CONNECTION_TEST_OUTCOMES)[number];

/** The result for one side of an account; `message` is the server's own text where it gave one. */
export type ConnectionTestSide = { outcome: ConnectionTestOutcome; message: string; protocol: 'imap' | 'pop3' | 'smtp'; host: string; port: number; durationMs: number };

/** A side that is not configured is absent. */
export type ConnectionTestView = { receive?: ConnectionTestSide; send?: ConnectionTestSide };

/** One IMAP folder from LIST, with its RFC 6154 special use. */
export type FolderView = { path: string; name: string; delimiter: string; specialUse?: string; flags: string[]; subscribed: boolean; selectable: boolean };

/** The id prefix of a folder list handed over through the blob store (FolderListReply). */
export const FOLDER_LIST_BLOB_PREFIX = 'folder-list-';

/**
 * listFolders' answer: the list, or, when its JSON is larger than one NATS reply holds (a server with
 * thousands of shared folders), the id of a blob holding that JSON, which the caller reads and deletes.
 */
export type FolderListReply = FolderView[] | { folderListBlobId: string };
