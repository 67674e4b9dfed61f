import { DynamicModule, Module } from '@nestjs/common';
import { repositoryProvider } from '@ilot/runtime';
import { PvForecastRepository, SiteDefinitionRepository } from '@ilot/timeseries';
import { AccessLog } from '../privacy/access-log';
import { PrivacyController } from '../privacy/privacy.controller';
import { AssetsController } from '../privacy/assets.controller';
import { CalendarController } from '../neighbourhood/calendar.controller';
import { OpenDataController } from '../neighbourhood/open-data.controller';
import { ResidentLiveController } from '../neighbourhood/resident-live.controller';
import { ResidentLiveService } from '../neighbourhood/resident-live.service';
import { LobbyController } from '../neighbourhood/lobby.controller';
import { LobbyService } from '../neighbourhood/lobby.service';
import { OutlookReader } from '../neighbourhood/outlook.reader';
import type { MetricsConfig } from '../metrics.config';
import { AllocationController } from './allocation.controller';
import { ApiController } from './api.controller';
import { ForecastController } from './forecast.controller';
import { SitesController } from './sites.controller';
import { OIDC_SETTINGS, OidcVerifier } from './oidc-verifier';
import { OPERATOR_TOKEN, OperatorGuard } from './operator.guard';
import { ReportAccessGuard } from './report-access.guard';
import { SiteOperatorGuard } from './site-operator.guard';
import { TOKEN_SECRET, ViewerResolver } from './viewer-resolver';

/** The HTTP API under /api/v1: readings, schedule, signals, reports, custom shares, PV forecasts, the sites themselves; who may read what. */
@Module({})
export class ApiModule {
  static register(config: MetricsConfig, shared: DynamicModule): DynamicModule {
    return {
      module: ApiModule,
      imports: [shared],
      controllers: [
        ApiController,
        AllocationController,
        ForecastController,
        SitesController,
        PrivacyController,
        AssetsController,
        CalendarController,
        OpenDataController,
        ResidentLiveController,
        LobbyController,
      ],
      providers: [
        { provide: OPERATOR_TOKEN, useValue: config.ILOT_OPERATOR_TOKEN },
        OperatorGuard,
        SiteOperatorGuard,
        { provide: TOKEN_SECRET, useValue: config.ILOT_TOKEN_SECRET },
        {
          provide: OIDC_SETTINGS,
          useValue: config.ILOT_OIDC_ISSUER
            ? {
                issuer: config.ILOT_OIDC_ISSUER,
                audience: config.ILOT_OIDC_AUDIENCE!,
                jwksUrl: config.ILOT_OIDC_JWKS_URL!,
                rolesClaim: config.ILOT_OIDC_ROLES_CLAIM,
              }
            : undefined,
        },
        OidcVerifier,
        ViewerResolver,
        ReportAccessGuard,
        repositoryProvider(PvForecastRepository),
        repositoryProvider(SiteDefinitionRepository),
        AccessLog,
        ResidentLiveService,
        LobbyService,
        OutlookReader,
      ],
    };
  }
}
