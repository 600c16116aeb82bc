import { z } from 'zod';
import { baseEnv, loadConfig, port, toBaseConfig } from '@mailbus/config';

const spamFeedbackEnv = baseEnv.extend({ HTTP_PORT: port(8085) }).transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT }));

export type SpamFeedbackConfig = z.output<typeof spamFeedbackEnv>;

export const loadSpamFeedbackConfig = (env: NodeJS.ProcessEnv = process.env): SpamFeedbackConfig => loadConfig({ service: 'spam-feedback', schema: spamFeedbackEnv, env });
