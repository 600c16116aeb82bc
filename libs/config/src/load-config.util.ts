import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's schema; its message is one line. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: string[],
  ) {
    super(`${service}: invalid configuration: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

function describeIssue(issue: z.ZodIssue): string {
  const variable = issue.path.join('.') || '(environment)';
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return `${variable} is required`;
  return `${variable}: ${issue.message}`;
}

/**
 * Validates the flat environment against a service's schema and returns its typed, nested config.
 * Fails with every problem in one line, so a misconfigured pod says exactly what to fix.
 * @example const config = loadConfig({ service: 'fetcher', schema: fetcherEnv, env: process.env });
 */
export function loadConfig<Schema extends z.ZodTypeAny>({ service, schema, env }: { service: string; schema: Schema; env: NodeJS.ProcessEnv }): z.output<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigError(service, result.error.issues.map(describeIssue));
  return result.data;
}
