import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** OpenAPI generated from the controllers and DTOs; served at /docs and as JSON at /docs-json. */
export function mountOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('mailbus API')
      .setDescription('Mail for business applications: accounts, incoming mail routed to users, the outbox, spam and deletion write-back.')
      .setVersion('v1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token from MAILBUS_API_TOKENS (README, "Authentication")' })
      // Every documented route needs a token (BearerAuthGuard fails closed); public ones are excluded from the document.
      .addSecurityRequirements('bearer')
      .build(),
  );
  // nestjs-zod leaves placeholders for zod DTOs in the raw document; this resolves them into schemas.
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document));
}
