import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, secretBoxFromEnv, secretKeyEnv, toBaseConfig } from '@mailbus/config';

const smtpSenderEnv = baseEnv
  .extend({
    HTTP_PORT: port(8084),
    ...secretKeyEnv,
    /** Upper bound for connecting to an SMTP or IMAP server and for each command. */
    MAIL_TIMEOUT_MS: positiveInt(30_000),
    /** Set it to the fetcher's FETCH_HOST_CONNECTION_CAP: Sent-folder copies take their IMAP connection from the same per-host slots. */
    HOST_CONNECTION_CAP: positiveInt(3),
    /** First retry delay after a temporary failure (4xx, network); doubles per attempt, with full jitter. */
    SEND_RETRY_BASE_MS: positiveInt(60_000),
    /** Longest wait between two attempts. */
    SEND_RETRY_MAX_DELAY_MS: positiveInt(3_600_000),
    /** After this long since the first attempt a temporary failure becomes permanent. Fractions allowed. */
    SEND_RETRY_HORIZON_HOURS: z.coerce.number({ invalid_type_error: 'must be a number of hours' }).positive('must be more than 0 hours').default(24),
    /** Messages per minute one account may send, across all replicas (shared in NATS KV); 0 = unlimited. Microsoft 365 allows 30. */
    SEND_RATE_PER_ACCOUNT_PER_MINUTE: z.coerce.number().int().min(0).default(120),
    /** Messages per minute to one SMTP host across its accounts and all replicas; 0 = unlimited. */
    SEND_RATE_PER_HOST_PER_MINUTE: z.coerce.number().int().min(0).default(1_200),
    /** How often the outbox is searched for items whose send.requested a crash may have kept from JetStream. */
    SEND_PENDING_SWEEP_INTERVAL_MS: positiveInt(15_000),
    /** An item untouched this long while `sending` (a crash) or overdue while `retrying` is sent again. */
    SEND_STALLED_AFTER_MS: positiveInt(10 * 60_000),
    /** Every mail sent is also delivered to these addresses (envelope only, never in headers); comma-separated. */
    SEND_ARCHIVE_BCC: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((address) => address.trim()).filter(Boolean))
      .refine((addresses) => addresses.every((address) => /^[^\s@<>]+@[^\s@<>]+$/.test(address)), 'must be comma-separated e-mail addresses'),
  })
  .transform((env, context) => ({
    ...toBaseConfig(env),
    httpPort: env.HTTP_PORT,
    secretBox: secretBoxFromEnv(env, context),
    sending: {
      mailTimeoutMs: env.MAIL_TIMEOUT_MS,
      hostConnectionCap: env.HOST_CONNECTION_CAP,
      retryBaseMs: env.SEND_RETRY_BASE_MS,
      retryMaxDelayMs: env.SEND_RETRY_MAX_DELAY_MS,
      horizonMs: Math.round(env.SEND_RETRY_HORIZON_HOURS * 3_600_000),
      archiveBcc: env.SEND_ARCHIVE_BCC,
      stalledAfterMs: env.SEND_STALLED_AFTER_MS,
      pendingSweepIntervalMs: env.SEND_PENDING_SWEEP_INTERVAL_MS,
    },
    rates: { perAccountPerMinute: env.SEND_RATE_PER_ACCOUNT_PER_MINUTE, perHostPerMinute: env.SEND_RATE_PER_HOST_PER_MINUTE },
  }));

export type SmtpSenderConfig = z.output<typeof smtpSenderEnv>;
export type SendingSettings = SmtpSenderConfig['sending'];

export const loadSmtpSenderConfig = (env: NodeJS.ProcessEnv = process.env): SmtpSenderConfig => loadConfig({ service: 'smtp-sender', schema: smtpSenderEnv, env });
