import { createZodDto } from 'nestjs-zod';
import { createGroupSchema, updateGroupSchema } from '@mailbus/contracts';

export class CreateGroupDto extends createZodDto(createGroupSchema) {}
export class UpdateGroupDto extends createZodDto(updateGroupSchema) {}

export const groupExample = {
  id: 'Zx1mB8cQpL2sT5vW7yA9dE',
  address: 'sales@example.com',
  name: 'Sales team',
  members: ['q7Yc2tVfS9uN3r1HkXo0bA', 'R4nT6wY8zA1cE3gI5kM7oQ'],
  createdAt: '2026-11-22T09:30:00.000Z',
  updatedAt: '2026-11-22T09:30:00.000Z',
};
