import { createZodDto } from 'nestjs-zod';
import { createUserSchema, updateUserSchema } from '@mailbus/contracts';

export class CreateUserDto extends createZodDto(createUserSchema) {}
export class UpdateUserDto extends createZodDto(updateUserSchema) {}

export const userExample = {
  id: 'q7Yc2tVfS9uN3r1HkXo0bA',
  displayName: 'Anna Berger',
  addresses: ['anna.berger@example.com', 'a.berger@xn--mller-kva.de'],
  defaultFrom: 'anna.berger@example.com',
  active: true,
  createdAt: '2026-11-22T09:30:00.000Z',
  updatedAt: '2026-11-22T09:30:00.000Z',
};
