import {
  loadSolver,
  plan,
  planInputFromForecasts,
  SOLVER_NAMES,
  type Schedule,
  type SolverName,
} from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { required, UsageError } from './args';
import { parseInputsCsv } from './inputs-csv';
import { parseEvOption } from './ev-option';
import { parseEffacementOption } from './simulate.command';

/**
 * `ilot optimise --site FILE --inputs CSV --start ISO --out FILE.json [--soc DEVICE=PCT]... [--solver highs|javascript-lp-solver]
 * [--effacement ID,START,END,REDUCTION_W]... [--ev CHARGER,ENERGY_WH,DEPARTURE[,MAX_W]]...`: plans offline from given
 * forecasts (the sheddable loads given a series planned as flexible, the orders given answered, the plugged cars given
 * charged, as the live planner does) and writes the schedule document.
 */
export async function optimiseCommand(options: Map<string, string[]>, log: (line: string) => void): Promise<Schedule> {
  const site = loadSiteFile(required(options, 'site'));
  const inputsPath = required(options, 'inputs');
  const out = required(options, 'out');
  const start = new Date(required(options, 'start'));
  if (Number.isNaN(start.getTime())) throw new UsageError('--start must be an ISO 8601 instant');
  const solverName = (options.get('solver')?.[0] ?? 'highs') as SolverName;
  if (!SOLVER_NAMES.includes(solverName)) throw new UsageError(`--solver must be one of ${SOLVER_NAMES.join(', ')}`);
  const socPct = new Map(
    (options.get('soc') ?? []).map((pair) => {
      const match = /^([a-z0-9-]+)=(\d+(\.\d+)?)$/.exec(pair);
      if (!match) throw new UsageError(`--soc "${pair}": expected DEVICE=PCT, e.g. bat-1=60`);
      return [match[1], Number(match[2])] as const;
    }),
  );

  let text: string;
  try {
    text = readFileSync(inputsPath, 'utf8');
  } catch (error) {
    throw new UsageError(`--inputs ${inputsPath}: ${(error as Error).message}`);
  }
  const forecasts = parseInputsCsv(text, start);
  const effacements = (options.get('effacement') ?? []).map(parseEffacementOption);
  const evs = (options.get('ev') ?? []).map((text) => parseEvOption(text, site, start));
  const input = planInputFromForecasts(site, forecasts, { socPct, effacements, evs });
  const solver = await loadSolver(solverName);
  const outcome = plan(input, solver);
  const schedule = outcome.schedule;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(schedule, null, 2) + '\n');
  log(
    `${site.name}: ${forecasts.slotStarts.length} slots of ${forecasts.slotMinutes} min from ${start.toISOString()}: ${schedule.status} (${schedule.solver}), ` +
      `objective ${schedule.objectiveEur.toFixed(2)} EUR, solved in ${outcome.solveMs.toFixed(0)} ms` +
      (schedule.violations.length ? `, ${schedule.violations.length} slot(s) not kept (contract or order caps)` : ''),
  );
  for (const ev of evs) {
    const chargedWh = schedule.slots.reduce(
      (sum, slot) => sum + ((slot.devices[ev.id]?.setpointW ?? 0) * forecasts.slotMinutes) / 60,
      0,
    );
    log(
      `car at ${ev.id}: ${(chargedWh / 1000).toFixed(1)} of ${(ev.energyNeededWh / 1000).toFixed(1)} kWh by ${ev.departure.toISOString()}`,
    );
  }
  for (const window of schedule.effacements ?? [])
    log(
      `order ${window.id}: import capped at ${(window.importCapW / 1000).toFixed(1)} kW from ${window.start} to ${window.end}`,
    );
  if (schedule.reason) log(`fallback: ${schedule.reason}`);
  log(`written: ${out}`);
  return schedule;
}
