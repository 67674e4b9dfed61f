import type { PlanEv } from '@ilot/optimiser';
import type { Site } from '@ilot/site';
import { UsageError } from './args';

/**
 * `--ev CHARGER,ENERGY_WH,DEPARTURE[,MAX_W]`: a car plugged at a charger from the start, its driver wanting ENERGY_WH
 * by DEPARTURE, taking at most MAX_W (the charger's rating when absent): planned as the live planner plans a session.
 */
export function parseEvOption(text: string, site: Site, start: Date): PlanEv {
  const parts = text.split(',');
  if (parts.length !== 3 && parts.length !== 4)
    throw new UsageError(`--ev "${text}": expected CHARGER,ENERGY_WH,DEPARTURE[,MAX_W]`);
  const [id, energyText, departureText, maxText] = parts;
  const charger = site.devices.get(id);
  if (charger?.kind !== 'ev_charger') throw new UsageError(`--ev "${text}": "${id}" is not an EV charger of the site`);
  const energyNeededWh = Number(energyText);
  if (!Number.isFinite(energyNeededWh) || energyNeededWh <= 0)
    throw new UsageError(`--ev "${text}": ENERGY_WH must be a positive energy, Wh`);
  const departure = new Date(departureText);
  if (Number.isNaN(departure.getTime()) || departure <= start)
    throw new UsageError(`--ev "${text}": DEPARTURE must be an ISO instant after --start`);
  const carMaxW = maxText === undefined ? charger.maxW : Number(maxText);
  if (!Number.isFinite(carMaxW) || carMaxW <= 0)
    throw new UsageError(`--ev "${text}": MAX_W must be a positive power, W`);
  return { id, maxW: Math.min(charger.maxW, carMaxW), energyNeededWh, departure };
}
