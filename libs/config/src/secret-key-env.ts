import { z } from 'zod';
import { SecretBox, SecretKeyring } from '@mailbus/crypto';

/** The variables of every service that seals or opens account passwords (README, "Secrets"). */
export const secretKeyEnv = {
  MAILBUS_SECRET_KEY: z.string().optional(),
  MAILBUS_SECRET_KEY_FILE: z.string().optional(),
};

/**
 * For a schema's transform: the SecretBox from those variables, or a config issue and z.NEVER.
 * @example .transform((env, context) => { const secretBox = secretBoxFromEnv(env, context); … })
 */
export function secretBoxFromEnv(env: { MAILBUS_SECRET_KEY?: string; MAILBUS_SECRET_KEY_FILE?: string }, context: z.RefinementCtx): SecretBox {
  try {
    return new SecretBox(SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: env.MAILBUS_SECRET_KEY, MAILBUS_SECRET_KEY_FILE: env.MAILBUS_SECRET_KEY_FILE }));
  } catch (error) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
    return z.NEVER;
  }
}
