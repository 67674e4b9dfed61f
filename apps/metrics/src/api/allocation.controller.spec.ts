import { ConflictException, NotFoundException } from '@nestjs/common';
import type { AllocationShareRepository } from '@ilot/timeseries';
import { AllocationController } from './allocation.controller';
import type { ResidentLedgerService } from '@ilot/residents';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';

const clock = { now: () => new Date('2026-01-10T13:00:00Z'), speedup: 1 };
const untouched = new Proxy(
  {},
  { get: (_, name) => () => Promise.reject(new Error(`${String(name)} must not be called`)) },
);

describe('AllocationController', () => {
  it('refuses shares for a site whose key is not custom (409), and another site (404), storing nothing', async () => {
    const message = 'site "ledger" shares its production by the dynamic-default key: custom shares would not be used';
    const controller = new AllocationController(
      ledgerSite(),
      clock,
      untouched as AllocationShareRepository,
      untouched as ResidentLedgerService,
    );
    const body = { steps: [{ start: '2026-01-10T12:00:00Z', shares: { 'flat-1': 1 } }] };
    await expect(controller.putShares('ledger', body)).rejects.toEqual(new ConflictException(message));
    await expect(controller.putShares('other', body)).rejects.toBeInstanceOf(NotFoundException);
  });
});
