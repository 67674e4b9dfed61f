import { ApiRefusals, ApiRoute } from '../http/route-access';
import { Controller, Get, Header } from '@nestjs/common';
import { LIVE_PAGE_SCRIPT, RESIDENT_PAGE_SCRIPT } from '@ilot/reports';

/** The resident page's script: static, no data in it, cacheable. */
@Controller('api/v1/assets')
export class AssetsController {
  @Get('resident-page.js')
  @ApiRoute('the resident page’s script', 'anyone')
  @ApiRefusals()
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  residentPageScript(): string {
    return RESIDENT_PAGE_SCRIPT;
  }

  @Get('live-page.js')
  @ApiRoute('the live pages’ script (a resident’s, the lobby’s)', 'anyone')
  @ApiRefusals()
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  livePageScript(): string {
    return LIVE_PAGE_SCRIPT;
  }
}
