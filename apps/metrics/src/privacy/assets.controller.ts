import { ApiRefusals, ApiRoute } from '../api/route-access';
import { Controller, Get, Header } from '@nestjs/common';
import { RESIDENT_LIVE_SCRIPT, RESIDENT_PAGE_SCRIPT } from '@ilot/reports';

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

  @Get('resident-live.js')
  @ApiRoute('the live page’s script', 'anyone')
  @ApiRefusals()
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  residentLiveScript(): string {
    return RESIDENT_LIVE_SCRIPT;
  }
}
