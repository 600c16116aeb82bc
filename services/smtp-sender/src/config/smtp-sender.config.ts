import { z } from 'zod';
import { baseEnv, loadConfig, port, toBaseConfig } from '@mailbus/config';

const smtpSenderEnv = baseEnv.extend({ HTTP_PORT: port(8084) }).transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT }));

export type SmtpSenderConfig = z.output<typeof smtpSenderEnv>;

export const loadSmtpSenderConfig = (env: NodeJS.ProcessEnv = process.env): SmtpSenderConfig => loadConfig({ service: 'smtp-sender', schema: smtpSenderEnv, env });
