import { z } from 'zod';
import { emailAddressField, entityIdField, recipientAddressField } from './field.schemas';

const userFields = {
  displayName: z.string().trim().min(1, 'is required').max(200),
  /** Every address that reaches this user, catch-alls (`@example.com`) included; each belongs to one user or group only. */
  addresses: z.array(recipientAddressField).min(1, 'needs at least one address').max(100),
  /** The From used when a request names none (FlowFact rule 2); the account with this address sends. */
  defaultFrom: emailAddressField.optional(),
  /** Accounts of active users are fetched before those of inactive ones (on leave, gone) when more are due than may run; priority accounts go first of all. */
  active: z.boolean().default(true),
};

export const createUserSchema = z.object(userFields).strict();
export type CreateUserInput = z.input<typeof createUserSchema>;

/** Fields left out stay as they are; `defaultFrom: null` removes it. */
export const updateUserSchema = z
  .object({ ...userFields, active: z.boolean(), defaultFrom: emailAddressField.nullable() })
  .partial()
  .strict();
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export type UserView = {
  id: string;
  displayName: string;
  addresses: string[];
  defaultFrom?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
};

export const userIdParams = z.object({ id: entityIdField });
