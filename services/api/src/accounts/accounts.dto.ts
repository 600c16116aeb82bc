import { createZodDto } from 'nestjs-zod';
import { createAccountSchema, setCheckpointsSchema, testSettingsSchema, updateAccountSchema } from '@mailbus/contracts';

export class CreateAccountDto extends createZodDto(createAccountSchema) {}
export class UpdateAccountDto extends createZodDto(updateAccountSchema) {}
export class TestSettingsDto extends createZodDto(testSettingsSchema) {}
export class SetCheckpointsDto extends createZodDto(setCheckpointsSchema) {}
