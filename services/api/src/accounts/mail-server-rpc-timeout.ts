/** Connection tests wait on mail servers: both sides run in parallel, each bounded by the registry's timeout. */
export const MAIL_SERVER_RPC_TIMEOUT_MS = 60_000;
