import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { IncomingMessage } from 'node:http';

/** Never log a credential, whatever object it hides in. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.pass',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.*.password',
  '*.*.pass',
];

const quietPaths = ['/health/', '/metrics'];

export function loggerOptions({ service, level }: { service: string; level: string }): Params {
  return {
    pinoHttp: {
      level,
      base: { service, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Probes and scrapes every few seconds would drown the log.
      autoLogging: { ignore: (req: IncomingMessage) => quietPaths.some((path) => req.url?.startsWith(path) ?? false) },
    },
  };
}
