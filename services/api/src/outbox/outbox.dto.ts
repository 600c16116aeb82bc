import { createZodDto } from 'nestjs-zod';
import { createOutboxSchema } from '@mailbus/contracts';

// nestjs-zod needs the object schema for OpenAPI; the refinements run in smtp-sender too (parseRpcInput).
export class CreateOutboxDto extends createZodDto(createOutboxSchema) {}

export const outboxItemExample = {
  id: 'Vb3kQ9xY2mN8pR4tL6wZ1a',
  status: 'queued',
  userId: 'q7Yc2tVfS9uN3r1HkXo0bA',
  accountId: 'K2pX9vQ1rT8uW3yZ5aB7cD',
  messageIdHeader: '<4f2a9c1d8e7b6a5f4e3d2c1b.mhx1k2@example.com>',
  attempts: 0,
  createdAt: '2026-11-30T09:00:00.000Z',
};
