import { DynamicModule, Module } from '@nestjs/common';
import { ResidentsModule } from '@ilot/residents';
import { repositoryProvider } from '@ilot/runtime';
import {
  OpenDataHourRepository,
  PvForecastRepository,
  SiteDefinitionRepository,
  TokenRevocationRepository,
} from '@ilot/timeseries';
import { ParticipantAccess } from './http/participant-access';
import { LiveStreams } from './neighbourhood/live-streams';
import { LiveFeeds } from './neighbourhood/live-feeds';
import { AccessLog } from './privacy/access-log';
import { PrivacyController } from './privacy/privacy.controller';
import { AssetsController } from './privacy/assets.controller';
import { CalendarController } from './neighbourhood/calendar.controller';
import { OpenDataController } from './neighbourhood/open-data.controller';
import { ResidentLiveController } from './neighbourhood/resident-live.controller';
import { ResidentLiveService } from './neighbourhood/resident-live.service';
import { LobbyController } from './neighbourhood/lobby.controller';
import { LobbyService } from './neighbourhood/lobby.service';
import { OutlookReader } from './neighbourhood/outlook.reader';
import { API_CONFIG, type ApiConfig } from './api.config';
import { AccController } from './api/acc.controller';
import { AccInvoicesController } from './api/acc-invoices.controller';
import { AllocationController } from './api/allocation.controller';
import { ApiController } from './api/api.controller';
import { ForecastController } from './api/forecast.controller';
import { SitesController } from './api/sites.controller';
import { OIDC_SETTINGS, OidcVerifier } from './http/oidc-verifier';
import { OPERATOR_TOKEN, OperatorGuard } from './http/operator.guard';
import { ReportAccessGuard } from './http/report-access.guard';
import { SiteOperatorGuard } from './http/site-operator.guard';
import { TOKEN_SECRET, ViewerResolver } from './http/viewer-resolver';

/**
 * The API app: the HTTP API under /api/v1 for operators, residents and the public (readings, schedule, signals,
 * reports, custom shares, PV forecasts, the sites themselves, residents' data, live pages, the lobby, open data; who
 * may read what: http/). Stateless but for its database connections: scaled out behind a load balancer. What it
 * shares with the metrics app (the repositories, every îlot's services) is libs/residents' ResidentsModule, here
 * with the residents' report reader under row-level security (ADR 0007).
 */
@Module({})
export class ApiAppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiAppModule,
      imports: [ResidentsModule.forRoot({ reports: { apiDatabaseUrl: config.ILOT_API_DATABASE_URL } })],
      controllers: [
        ApiController,
        AllocationController,
        AccController,
        AccInvoicesController,
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
        { provide: API_CONFIG, useValue: config },
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
        repositoryProvider(OpenDataHourRepository),
        repositoryProvider(TokenRevocationRepository),
        repositoryProvider(SiteDefinitionRepository),
        AccessLog,
        ParticipantAccess,
        ResidentLiveService,
        LiveStreams,
        LiveFeeds,
        LobbyService,
        OutlookReader,
      ],
    };
  }
}
