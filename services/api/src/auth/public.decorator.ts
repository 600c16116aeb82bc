import { SetMetadata } from '@nestjs/common';
import { PUBLIC_ROUTE } from '@mailbus/service-runtime';

/**
 * A route that answers without a token. The same metadata key marks /health and /metrics in
 * libs/service-runtime, so the guard has one rule for both.
 * @example @Public() @Get('ping') ping() { … }
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
