import { Access } from '../http/route-access';
import { ApiBody } from '@nestjs/swagger';
import { BadRequestException, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { type Clock, describeProblems } from '@ilot/domain';
import { validatePvForecast } from '@ilot/protocol';
import { CLOCK, inboundLimits, JsonBody, RUNTIME_CONFIG, type RuntimeConfig } from '@ilot/runtime';
import { PvForecastRepository } from '@ilot/timeseries';
import { SiteScopes } from '@ilot/residents';

/** External PV forecasts over HTTP: what the `forecast` topic takes, for a feeder that speaks HTTP rather than MQTT. */
@Controller('api/v1/sites/:siteId/forecast')
export class ForecastController {
  constructor(
    private readonly scopes: SiteScopes,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly forecasts: PvForecastRepository,
    @Inject(RUNTIME_CONFIG) private readonly runtime: RuntimeConfig,
  ) {}

  /**
   * `{"issuedAt", "source"?, "series": [{"ts", "pvW", "device"?}]}`, the `forecast` topic's payload (docs/design.md):
   * checked the same way (400 with the field and the reason, nothing stored), stored by issue (the same issue sent
   * again writes nothing twice); the next plan takes it. Operator only.
   */
  @Post()
  @Access.siteOperator('an external PV forecast (the forecast topic’s payload)', 400, 413, 415)
  @ApiBody({ description: 'a forecast payload (docs/design.md)', schema: { type: 'object' } })
  @HttpCode(201)
  async postForecast(@Param('siteId') siteId: string, @JsonBody() body: unknown) {
    const { site } = this.scopes.of(siteId);
    const now = this.clock.now();
    const isPvArray = (id: string) => site.devices.get(id)?.kind === 'pv';
    const forecast = validatePvForecast(body, now, inboundLimits(this.runtime).maxFutureMs, isPvArray);
    if (!forecast.ok) throw new BadRequestException(`forecast refused: ${describeProblems(forecast)}`);
    await this.forecasts.store(siteId, forecast.value, now);
    const times = forecast.value.series.map((p) => Date.parse(p.ts));
    return {
      siteId,
      issuedAt: new Date(forecast.value.issuedAt).toISOString(),
      points: forecast.value.series.length,
      from: new Date(Math.min(...times)).toISOString(),
      to: new Date(Math.max(...times)).toISOString(),
    };
  }
}
