import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, secretBoxFromEnv, secretKeyEnv, toBaseConfig } from '@mailbus/config';

const spamFeedbackEnv = baseEnv
  .extend({
    HTTP_PORT: port(8085),
    ...secretKeyEnv,
    /** Upper bound for connecting to a mail server and for each command. */
    MAIL_TIMEOUT_MS: positiveInt(30_000),
    /** Set it to the fetcher's FETCH_HOST_CONNECTION_CAP: both take their connections from the same per-host slots. */
    HOST_CONNECTION_CAP: positiveInt(3),
    /** Create a Junk folder on servers that have none (else the spam mark stays local and spam.moved says why). */
    WRITEBACK_CREATE_JUNK_FOLDER: z
      .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
      .default('true')
      .transform((value) => value === 'true'),
    /** Deliveries of one event before a failing server gets a FAILED spam.moved (below the consumer's maxDeliver). */
    WRITEBACK_MAX_ATTEMPTS: positiveInt(4),
  })
  .transform((env, context) => ({
    ...toBaseConfig(env),
    httpPort: env.HTTP_PORT,
    secretBox: secretBoxFromEnv(env, context),
    writeback: { mailTimeoutMs: env.MAIL_TIMEOUT_MS, hostConnectionCap: env.HOST_CONNECTION_CAP, createJunkFolder: env.WRITEBACK_CREATE_JUNK_FOLDER, maxAttempts: env.WRITEBACK_MAX_ATTEMPTS },
  }));

export type SpamFeedbackConfig = z.output<typeof spamFeedbackEnv>;
export type WritebackSettings = SpamFeedbackConfig['writeback'];

export const loadSpamFeedbackConfig = (env: NodeJS.ProcessEnv = process.env): SpamFeedbackConfig => loadConfig({ service: 'spam-feedback', schema: spamFeedbackEnv, env });
