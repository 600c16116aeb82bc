import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from './api-tokens.util';

export const REQUIRED_ROLE = 'mailbus:required-role';

/**
 * The least role a controller or handler needs: `app` for the business application's mail
 * operations (admin tokens may call them too), `admin` for accounts, users and groups. A handler's
 * own @Roles wins over its controller's. Handlers without any @Roles are admin-only, so a route
 * someone forgets to mark fails closed.
 * @example @Roles('app') @Controller('v1/messages') export class MessagesController { … }
 */
export const Roles = (role: ApiRole) => SetMetadata(REQUIRED_ROLE, role);
