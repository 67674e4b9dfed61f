import type { ReplayKpis } from '@ilot/simulators';
import { devicesOfKind, type Site } from '@ilot/site';

/**
 * "Is the battery worth it?" (issue 27 §6), from a replay's strategies: what the batteries earn (the îlot without them,
 * its loads planned, less the optimised îlot), what load control earns (idle: batteries held, loads and chargers
 * unmanaged, less the îlot without batteries), each per year (the replay scaled to 365 days when shorter, said so),
 * on the cost net of storage with overruns and wear; and with a capex per kWh, the batteries' simple payback.
 */
export function batteryValueLines(
  site: Site,
  days: number,
  results: readonly ReplayKpis[],
  capexEurPerKWh?: number,
): string[] {
  const cost = (strategy: string) => results.find((k) => k.strategy === strategy)?.costNetOfStorageEur;
  const [optimised, noBattery, idle] = [cost('optimised'), cost('no-battery'), cost('idle')];
  if (optimised === undefined || noBattery === undefined || idle === undefined) return [];
  const perYear = 365 / days;
  const scaled = days >= 365 ? '' : ` (${days} day(s) x ${perYear.toFixed(1)}: one season's figures, not a year's)`;
  const batteriesEur = (noBattery - optimised) * perYear;
  const loadsEur = (idle - noBattery) * perYear;
  const lines = [
    `per year${scaled}: the batteries earn ${batteriesEur.toFixed(0)} EUR (no-battery - optimised), load control ${loadsEur.toFixed(0)} EUR (idle - no-battery)`,
  ];
  if (capexEurPerKWh !== undefined) {
    const capacityKWh = devicesOfKind(site, 'battery').reduce((sum, b) => sum + b.capacityWh, 0) / 1000;
    const capexEur = capexEurPerKWh * capacityKWh;
    lines.push(
      `batteries' payback at ${capexEurPerKWh} EUR/kWh (${capacityKWh.toFixed(0)} kWh, ${capexEur.toFixed(0)} EUR): ` +
        (batteriesEur > 0 ? `${(capexEur / batteriesEur).toFixed(1)} years` : 'never (they earn nothing here)'),
    );
  }
  return lines;
}
