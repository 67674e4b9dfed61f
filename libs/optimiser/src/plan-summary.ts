import { setpointReason } from './battery-commands';
import type { PlanInput } from './plan-input';
import type { Schedule } from './schedule';

/**
 * One line for the operator per plan: status and solver, the grid power planned for the first slot, each battery's
 * setpoint and why, the tariff period and price now, and how many commands went out. Pure.
 */
export function planSummary(
  schedule: Schedule,
  input: Pick<PlanInput, 'batteries' | 'slots' | 'connection'>,
  context: { period?: string; commands: number; elapsedMs: number },
): string {
  const slot = schedule.slots[0];
  if (!slot) return `plan ${schedule.status}: no slot`;
  const kW = (w: number) => `${(w / 1000).toFixed(1)} kW`;
  const batteries = input.batteries
    .filter((b) => slot.devices[b.id])
    .map((b) => {
      const setpointW = slot.devices[b.id].setpointW;
      return `${b.id} ${kW(setpointW)} (${setpointReason(schedule, setpointW, input.connection.importLimitW)})`;
    });
  const price = input.slots[0] ? `${input.slots[0].importEurPerKWh.toFixed(4)} EUR/kWh` : '';
  return [
    `plan ${schedule.status} (${schedule.solver}, ${context.elapsedMs.toFixed(0)} ms)`,
    `grid ${kW(slot.gridW)} planned`,
    ...batteries,
    `${context.period ? `${context.period} ` : ''}${price}`,
    `${context.commands} command${context.commands === 1 ? '' : 's'}`,
  ].join(', ');
}

/**
 * The devices left out of a plan, grouped by why (no reading yet, stale, offline), naming them when few: a line an
 * operator reads, not one entry per device.
 */
export function describeExcluded(excluded: readonly string[], deviceCount: number): string {
  const groups = new Map<string, string[]>();
  for (const entry of excluded) {
    const [id, why = ''] = entry.split(/: (.*)/s);
    const kind = /^no reading|^no fresh/.test(why) ? 'no reading yet' : (why.split(/[ ,]/)[0] ?? why);
    groups.set(kind, [...(groups.get(kind) ?? []), id]);
  }
  const parts = [...groups].map(
    ([kind, ids]) => `${ids.length} ${kind}${ids.length <= 5 ? ` (${ids.join(', ')})` : ''}`,
  );
  return `${excluded.length} of ${deviceCount} devices left out of the plan: ${parts.join('; ')}`;
}
