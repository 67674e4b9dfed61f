import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document of the HTTP API, generated from the controllers and their access decorators
 * (route-access.ts: each guard and its documentation together). Served at `/api/docs`; `docs/openapi.json` is the
 * same, checked equal by apps/api/src/http/openapi.int-spec.ts (`npm run openapi` writes it).
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Îlot API')
    .setDescription(
      'The operator, residents and machines of an îlot (docs/design.md, "HTTP API"). Every refusal is a 4xx whose ' +
        'JSON `message` says why; personal data is answered `Cache-Control: private, no-store`.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          "ILOT_OPERATOR_TOKEN; a signed token (`ilot token`: a resident's or one site's operator's); or an " +
          "identity provider's access token (OIDC JWT, roles operator:SITE / viewer:SITE)",
      },
      'bearer',
    )
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

/** Serves the document at GET /api/docs (JSON). */
export function serveOpenApi(app: INestApplication): void {
  const document = openApiDocument(app);
  app
    .getHttpAdapter()
    .get('/api/docs', (_request: unknown, response: { json(body: unknown): void }) => response.json(document));
}
