import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI generated from the controllers and DTOs; served at /docs and as JSON at /docs-json. */
export function mountOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('mailbus API')
      .setDescription('Mail for business applications: accounts, incoming mail routed to users, the outbox, spam and deletion write-back.')
      .setVersion('v1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
