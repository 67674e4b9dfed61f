import type { DeviceSpec, SiteFile } from './site.schema';

/**
 * What keeps an operation from being billed (issue 29 §4), each named by its path: a producer without prices or prices
 * for what is not a producer, effective dates out of order, a member without the identity an invoice names (a
 * business's SIREN included), a seller without its SIREN, memberships on a site that is not billed by date.
 */
export function accBillingProblems(file: SiteFile, devices: ReadonlyMap<string, DeviceSpec>): string[] {
  const billing = file.acc?.billing;
  if (!billing) return [];
  const problems: string[] = [];
  if (!billing.seller.siren)
    problems.push('acc.billing.seller.siren: required (the seller of an invoice is named by it)');
  const producers = [...devices.values()].filter((d) => d.kind === 'pv' && d.injectionPrm).map((d) => d.id);
  for (const producer of producers)
    if (!billing.producers[producer])
      problems.push(`acc.billing.producers: no owner and prices for producer ${producer}`);
  for (const [producer, { prices }] of Object.entries(billing.producers)) {
    if (!producers.includes(producer))
      problems.push(`acc.billing.producers.${producer}: not a producer of the operation (a pv with its injectionPrm)`);
    prices.forEach((price, i) => {
      if (i > 0 && price.from <= prices[i - 1].from)
        problems.push(
          `acc.billing.producers.${producer}.prices[${i}].from: ${price.from} must come after ${prices[i - 1].from}`,
        );
    });
  }
  file.participants.forEach((p, i) => {
    if (!p.billing)
      problems.push(`participants[${i}] (${p.id}).billing: required, the operation is billed (acc.billing)`);
    else if (p.kind === 'business' && !p.billing.siren)
      problems.push(
        `participants[${i}] (${p.id}).billing.siren: required of a business (its Factur-X invoice names it)`,
      );
  });
  return problems;
}
