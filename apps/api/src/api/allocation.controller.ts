import { Access } from '../http/route-access';
import { ApiBody } from '@nestjs/swagger';
import { BadRequestException, ConflictException, Controller, Inject, Param, Put } from '@nestjs/common';
import { parseCustomShares, parseProducerShares } from '@ilot/allocation';
import { devicesOfKind } from '@ilot/site';
import { type Clock, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { CLOCK, JsonBody } from '@ilot/runtime';
import { AllocationShareRepository } from '@ilot/timeseries';
import { SiteScopes } from '@ilot/residents';

const STEP_MS = SETTLEMENT_STEP_MS;

/** The operator's side of the collective: the shares of a `dynamic-custom` key, the coefficients of a `dynamic-full` one. */
@Controller('api/v1/sites/:siteId/allocation')
export class AllocationController {
  constructor(
    private readonly scopes: SiteScopes,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly shares: AllocationShareRepository,
  ) {}

  /**
   * `{"steps": [{"start", "shares": {"<participantId>": 0..1}}]}`: each step's shares of the production (the PMO's
   * coefficients), replacing those given before for the same steps. The residents' ledger is computed again for
   * those steps at once, so their reports follow. 400 with every problem; 409 when the site's key is not custom.
   * Operator only.
   */
  @Put('shares')
  @Access.siteOperator('custom allocation shares per step (the dynamic-custom key)', 400, 409, 413, 415)
  @ApiBody({ description: 'shares per step', schema: { type: 'object' } })
  async putShares(@Param('siteId') siteId: string, @JsonBody() body: unknown) {
    const { site } = this.scopes.of(siteId);
    if (site.allocation.key !== 'dynamic-custom')
      throw new ConflictException(
        `site "${siteId}" shares its production by the ${site.allocation.key} key: custom shares would not be used`,
      );
    const parsed = parseCustomShares(body, new Set(site.participants.map((p) => p.id)), STEP_MS);
    if (!parsed.ok)
      throw new BadRequestException({ message: 'shares refused, nothing stored', problems: parsed.problems });
    const now = this.clock.now();
    await this.shares.replace(siteId, parsed.value, now);
    return this.recomputed(siteId, parsed.value, now);
  }

  /**
   * `{"steps": [{"start", "byProducer": {"<pvId>": {"<participantId>": 0..1}}}]}`: a full dynamic key's coefficients
   * (issue 29 §2), each producer's production shared by its own, replacing those given before for the same steps; a
   * producer left out of a step gives nobody anything there. The ledger follows at once. 400 with every problem; 409
   * when the site's key is not `dynamic-full`. Operator only.
   */
  @Put('producer-shares')
  @Access.siteOperator('coefficients per producer and participant per step (the dynamic-full key)', 400, 409, 413, 415)
  @ApiBody({ description: 'coefficients per step and producer', schema: { type: 'object' } })
  async putProducerShares(@Param('siteId') siteId: string, @JsonBody() body: unknown) {
    const { site } = this.scopes.of(siteId);
    if (site.allocation.key !== 'dynamic-full')
      throw new ConflictException(
        `site "${siteId}" shares its production by the ${site.allocation.key} key: coefficients per producer would not be used`,
      );
    const producers = devicesOfKind(site, 'pv').filter((pv) => pv.injectionPrm);
    const parsed = parseProducerShares(
      body,
      new Set(site.participants.map((p) => p.id)),
      new Set(producers.map((pv) => pv.id)),
      STEP_MS,
    );
    if (!parsed.ok)
      throw new BadRequestException({ message: 'coefficients refused, nothing stored', problems: parsed.problems });
    const now = this.clock.now();
    await this.shares.replaceByProducer(siteId, parsed.value, now);
    return this.recomputed(siteId, parsed.value, now);
  }

  /** The ledger computed again over the steps just given (up to now). */
  private async recomputed(siteId: string, steps: ReadonlyArray<{ start: Date }>, now: Date) {
    const { ledger } = this.scopes.of(siteId);
    const starts = steps.map((s) => s.start.getTime());
    const from = new Date(Math.min(...starts));
    const to = new Date(Math.min(Math.max(...starts) + STEP_MS, now.getTime()));
    const recomputed = await ledger.recompute(from, to);
    return {
      siteId,
      steps: steps.length,
      recomputedSteps: recomputed?.steps ?? 0,
      from: from.toISOString(),
      to: to.toISOString(),
    };
  }
}
