import { z } from 'zod';
import { entityIdField, recipientAddressField } from './field.schemas';

const groupFields = {
  /** Mail to this address (or, for a catch-all `@example.com`, to its domain) reaches every member. */
  address: recipientAddressField,
  name: z.string().trim().min(1).max(200).optional(),
  members: z.array(entityIdField).min(1, 'needs at least one member').max(1000),
};

export const createGroupSchema = z.object(groupFields).strict();
export type CreateGroupInput = z.input<typeof createGroupSchema>;

export const updateGroupSchema = z.object(groupFields).partial().strict();
export type UpdateGroupInput = z.input<typeof updateGroupSchema>;

export type GroupView = { id: string; address: string; name?: string; members: string[]; createdAt: string; updatedAt: string };
