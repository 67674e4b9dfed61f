import { ConflictException, NotFoundException } from '@nestjs/common';
import type { SiteCatalog } from '@ilot/runtime';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';
import { SiteScopes } from '@ilot/residents';
import { AllocationController } from './allocation.controller';

const clock = { now: () => new Date('2026-01-10T13:00:00Z'), speedup: 1 };
const untouched = new Proxy(
  {},
  { get: (_, name) => () => Promise.reject(new Error(`${String(name)} must not be called`)) },
) as never;

describe('AllocationController', () => {
  it('refuses shares for a site whose key is not custom (409), and another site (404), storing nothing', async () => {
    const message = 'site "ledger" shares its production by the dynamic-default key: custom shares would not be used';
    const site = ledgerSite();
    const catalog = {
      find: (siteId: string) => (siteId === site.id ? { site, source: 'test', fingerprint: 'f' } : undefined),
    } as unknown as SiteCatalog;
    const scopes = new SiteScopes(
      catalog,
      untouched,
      untouched,
      untouched,
      untouched,
      untouched,
      untouched,
      untouched,
      untouched,
      untouched,
      untouched,
    );
    const controller = new AllocationController(scopes, clock, untouched);
    const body = { steps: [{ start: '2026-01-10T12:00:00Z', shares: { 'flat-1': 1 } }] };
    await expect(controller.putShares('ledger', body)).rejects.toEqual(new ConflictException(message));
    await expect(controller.putShares('other', body)).rejects.toBeInstanceOf(NotFoundException);
  });
});
