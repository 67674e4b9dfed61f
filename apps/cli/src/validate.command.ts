import { accSpan, devicesOfKind, loadSiteFile, type Site, siteWarnings } from '@ilot/site';
import { required } from './args';

/**
 * `ilot validate --site FILE`: reads the site file as the apps do at start and says what it describes; a bad file
 * fails with every problem (the device it is about, the field meant), exit 2; a valid file's implausible values
 * (fractions for percentages, kW for W, a meter nobody holds) are warnings.
 */
export function validateCommand(options: Map<string, string[]>, log: (line: string) => void): Site {
  const path = required(options, 'site');
  const site = loadSiteFile(path);
  const kinds = new Map<string, number>();
  for (const device of site.devices.values()) kinds.set(device.kind, (kinds.get(device.kind) ?? 0) + 1);
  const kW = (w: number) => `${(w / 1000).toFixed(0)} kW`;
  const batteryKWh = devicesOfKind(site, 'battery').reduce((sum, b) => sum + b.capacityWh, 0) / 1000;
  const pvKWp = devicesOfKind(site, 'pv').reduce((sum, p) => sum + p.peakW, 0) / 1000;
  log(`${path}: valid. Site "${site.id}" (${site.name}), ${site.timezone}`);
  log(
    `  connection: import ${kW(site.connection.importLimitW)}, export ${kW(site.connection.exportLimitW)}; tariff ${site.tariff.kind}; allocation ${site.allocation.key}`,
  );
  log(
    `  ${site.buildings.length} building(s), ${site.devices.size} devices (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}), ${site.participants.length} participants`,
  );
  log(`  PV ${pvKWp.toFixed(1)} kWp, batteries ${batteryKWh.toFixed(0)} kWh`);
  if (site.topology === 'public-grid-acc') log(`  ${accSummary(site)}`);
  const billing = site.acc?.billing;
  if (billing) {
    const producers = Object.entries(billing.producers).map(([id, p]) => `${id} (${p.prices.length} price(s))`);
    const vat = `VAT ${billing.vatPct.resident}/${billing.vatPct.business}/${billing.vatPct.public} % (resident/business/public)`;
    log(
      `  billed by ${billing.seller.name} (SIREN ${billing.seller.siren}), invoices ${billing.invoicePrefix}-YYYY-NNNNNN: ${producers.join(', ')}; ${vat}; excise ${billing.excise.collectedBySeller ? `${billing.excise.eurPerKWh} €/kWh collected` : 'not collected'}`,
    );
  }
  if (site.allocation.history.length)
    log(`  allocation before: ${site.allocation.history.map((h) => `${h.key} until ${h.until}`).join(', ')}`);
  // Valid, but perhaps not what was meant (issue 25): fractions for percentages, kW for W, a meter nobody holds.
  for (const warning of siteWarnings(site)) log(`  warning: ${warning}`);
  return site;
}

/** A collective self-consumption operation on the public grid in one line: its members, its perimeter, its capacity. */
function accSummary(site: Site): string {
  const span = accSpan(site);
  const farthest = span.farthest
    ? `${span.farthest.a} and ${span.farthest.b}, ${span.farthest.km.toFixed(2)} km apart`
    : 'one point';
  return `collective self-consumption on the public grid: ${span.consumers} consumers' and ${span.producers} producers' points, the farthest ${farthest} (at most ${span.limitKm} km${site.acc?.derogation ? `, ${site.acc.derogation.reference}` : ''}); producers ${(span.peakW / 1e6).toFixed(3)} MW (under ${span.limitW / 1e6} MW)`;
}
