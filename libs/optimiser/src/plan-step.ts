import type { CommandPayload } from '@ilot/protocol';
import type { Site } from '@ilot/site';
import { contractedImportW } from '@ilot/tariffs';
import { commandsToSend, type OutgoingCommand } from './command-policy';
import type { LpSolver, SolveOptions } from './lp-solver.port';
import { type AsyncLpSolver, keepLastValid, plan, planAsync, type PlanOutcome } from './plan';
import type { PlanInput, SiteObservations } from './plan-input';
import { buildPlanInput, type PlanSettings } from './plan-input.builder';
import type { Schedule } from './schedule';

export interface PlanStepSettings extends PlanSettings {
  /** The last valid plan goes on this long while the solver gives none (ILOT_PLAN_KEEP_S), ms. */
  keepMs: number;
  /** A command stays valid this long past the end of the plan's first slot (ILOT_COMMAND_GRACE_S), ms. */
  graceMs: number;
}

/** What one planning step is given: the îlot, what was observed of it, and what the caller holds between steps. */
export interface PlanStepContext {
  site: Site;
  observations: SiteObservations;
  now: Date;
  settings: PlanStepSettings;
  /** The last optimal or feasible plan of earlier steps (undefined at the first). */
  lastValid: Schedule | undefined;
  /** The command each device has now (the dispatcher's, or the replay's world). */
  current: (deviceId: string) => CommandPayload | undefined;
  newId: () => string;
  /** The lease the plan is made under (many îlots): named in the schedule, its token on every command. */
  lease?: { holder: string; token: number };
  /**
   * Replaces the input the solver gets (the replay's oracle-forecast strategy gives it the true future); the commands
   * are still made against the observed input, as a controller knows only what was observed.
   */
  adjustInput?: (input: PlanInput) => PlanInput;
}

/** What one planning step decided: the plan to publish, the plan to keep for the next step, the commands to send. */
export interface PlanStep {
  /** The input built from the observations (before any `adjustInput`). */
  input: PlanInput;
  /** The devices left out of the plan, with why. */
  excluded: string[];
  /** The plan's slots an external (issued) PV forecast covered; the others had the planner's own. */
  pvExternalSlots: number;
  /** What the solver gave (its timings, its status) before the last valid plan was considered. */
  outcome: PlanOutcome;
  schedule: Schedule;
  /** True when the solver gave no plan and the last valid one goes on. */
  kept: boolean;
  /** The plan the next step keeps if its solver gives none. */
  lastValid: Schedule | undefined;
  /** The commands that go out now, by the one command policy, each with the lease's token when there is one. */
  commands: OutgoingCommand[];
}

/**
 * One planning step, the same for the live loop (apps/optimiser's site-planner) and the closed-loop replay (`ilot
 * simulate`): observations -> plan input -> plan -> keep the last valid plan -> the commands to send. Pure: time, ids,
 * the current commands and the solver are given; storing, publishing and sending are the caller's.
 */
export function planStep(context: PlanStepContext, solver: LpSolver, options: SolveOptions = {}): PlanStep {
  const built = buildPlanInput(context.site, context.observations, context.now, context.settings);
  return decide(context, built, plan(solved(context, built.input), solver, options));
}

/** `planStep` with a solver that answers later (the live loop's worker pool). */
export async function planStepAsync(
  context: PlanStepContext,
  solver: AsyncLpSolver,
  options: SolveOptions = {},
): Promise<PlanStep> {
  const built = buildPlanInput(context.site, context.observations, context.now, context.settings);
  return decide(context, built, await planAsync(solved(context, built.input), solver, options));
}

/** The input the solver gets: the observed one, or what `adjustInput` makes of it. */
function solved(context: PlanStepContext, input: PlanInput): PlanInput {
  return context.adjustInput ? context.adjustInput(input) : input;
}

function decide(
  context: PlanStepContext,
  { input, excluded, pvExternalSlots }: ReturnType<typeof buildPlanInput>,
  outcome: PlanOutcome,
): PlanStep {
  const { now, settings, lease } = context;
  const { schedule: chosen, kept } = keepLastValid(context.lastValid, outcome.schedule, now, settings.keepMs);
  const schedule: Schedule = { ...chosen, staleInputs: excluded, ...(lease ? { lease } : {}) };
  const commands = commandsToSend(schedule, input, context.current, {
    now,
    graceMs: settings.graceMs,
    importLimitW: contractedImportW(now, context.site),
    newId: context.newId,
  }).map((c) => (lease ? ({ ...c, command: { ...c.command, leaseToken: lease.token } } as OutgoingCommand) : c));
  return {
    input,
    excluded,
    pvExternalSlots,
    outcome,
    schedule,
    kept,
    lastValid: schedule.status !== 'fallback' && !kept ? schedule : context.lastValid,
    commands,
  };
}
