import { localDateTime } from '@ilot/domain';
import { OPEN_DATA_MIN_PARTICIPANTS } from './open-data';
import { ilotOutlook, type IlotOutlook, type OutlookInput } from './resident-live';

/** Fewer participants' meters than this in a figure and it is not shown: it would come too close to one home's. */
export const LOBBY_MIN_METERS = OPEN_DATA_MIN_PARTICIPANTS;

export interface LobbyInput extends OutlookInput {
  siteName: string;
  /** The îlot's consumption now (its participants' fresh meters and its shared loads summed), the connection's power. */
  current: { metersReporting: number; consumptionW: number; gridW: number | null };
  /** Today's 15-minute steps so far: the solar, the consumption, how many participants' meters reported. */
  steps: ReadonlyArray<{ pvWh: number; consumptionWh: number; metersReporting: number }>;
}

export interface Lobby extends IlotOutlook {
  siteName: string;
  generatedAt: string;
  date: string;
  now: { consumptionKW: number | null; gridKW: number | null };
  today: {
    solarKWh: number;
    consumptionKWh: number | null;
    /** Share of the consumption covered by the îlot's solar (over the steps with enough meters, as the consumption). */
    selfSufficiency: number | null;
    /** Share of the solar used in the îlot. */
    selfConsumption: number | null;
  };
}

/**
 * The îlot as a whole for a lobby screen or the town hall (issue 16): its solar, its consumption and exchanges with
 * the grid, today's self-sufficiency, the hours ahead and the next effacement order. Aggregates only, nothing per
 * home: a figure that includes the participants' meters is given only when LOBBY_MIN_METERS or more reported
 * (otherwise null), and the current powers in whole kW. Pure.
 */
export function lobbyView(input: LobbyInput): Lobby {
  const enough = input.current.metersReporting >= LOBBY_MIN_METERS;
  // The consumption of a step counts only when enough meters are in it; a step with fewer is left out whole.
  const counted = input.steps.filter((s) => s.metersReporting >= LOBBY_MIN_METERS);
  const solarWh = input.steps.reduce((sum, s) => sum + s.pvWh, 0);
  const consumptionWh = counted.reduce((sum, s) => sum + s.consumptionWh, 0);
  const coveredWh = counted.reduce((sum, s) => sum + Math.min(s.pvWh, s.consumptionWh), 0);
  const solarCountedWh = counted.reduce((sum, s) => sum + s.pvWh, 0);
  const any = counted.length > 0;
  return {
    siteName: input.siteName,
    generatedAt: input.now.toISOString(),
    date: localDateTime(input.now, input.timeZone).date,
    now: {
      consumptionKW: enough ? Math.round(input.current.consumptionW / 1000) : null,
      gridKW: enough && input.current.gridW !== null ? Math.round(input.current.gridW / 1000) : null,
    },
    today: {
      solarKWh: Math.round(solarWh / 1000),
      consumptionKWh: any ? Math.round(consumptionWh / 1000) : null,
      selfSufficiency: any && consumptionWh > 0 ? Math.round((coveredWh / consumptionWh) * 100) / 100 : null,
      selfConsumption: any && solarCountedWh > 0 ? Math.round((coveredWh / solarCountedWh) * 100) / 100 : null,
    },
    ...ilotOutlook(input),
  };
}
