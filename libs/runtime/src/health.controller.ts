import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RuntimeConfig } from './config';
import { Registry } from 'prom-client';
import { ReadinessRegistry } from './readiness.registry';
import { sameSecret } from './same-secret';
import { METRICS_REGISTRY, RUNTIME_CONFIG } from './tokens';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** The process is up. */
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready only when the broker and the database answer. */
  @Get('readyz')
  async ready(@Res() response: Response): Promise<void> {
    const result = await this.readiness.evaluate();
    response.status(result.ready ? 200 : 503).json(result);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!metricsAllowed(this.config.ILOT_METRICS_TOKEN, request.headers.authorization)) {
      response.status(401).json({ statusCode: 401, message: 'ILOT_METRICS_TOKEN is set: Authorization: Bearer <it>' });
      return;
    }
    response.type(this.registry.contentType).send(await this.registry.metrics());
  }
}

/** Whether a scrape may read /metrics: always without a token configured, else only with it (sameSecret). */
export function metricsAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  return given !== undefined && sameSecret(given, token);
}
