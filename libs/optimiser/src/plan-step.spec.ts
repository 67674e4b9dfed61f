import type { CommandPayload } from '@ilot/protocol';
import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import type { LpSolver } from './lp-solver.port';
import type { SiteObservations } from './plan-input';
import { planStep, planStepAsync, type PlanStepContext } from './plan-step';

const site = loadSiteFile(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'));
const t0 = new Date('2026-01-14T12:07:00Z');
const solver = new JavascriptLpSolverAdapter();
/** A solver that never finds a plan (as a timed-out solve). */
const failing: LpSolver = { name: 'failing', solve: () => ({ status: 'timeout', solver: 'failing' }) as never };

function observations(now: Date): SiteObservations {
  const latest = new Map(
    [...site.devices.values()].map((d) => [
      d.id,
      {
        ts: new Date(now.getTime() - 30_000),
        powerW: d.kind === 'pv' ? 5000 : 1000,
        socPct: d.kind === 'battery' ? 40 : null,
      },
    ]),
  );
  return { latest, consumptionHistory: [] };
}

function context(now: Date, overrides: Partial<PlanStepContext> = {}): PlanStepContext {
  let id = 0;
  return {
    site,
    observations: observations(now),
    now,
    settings: { slotMinutes: 15, horizonSlots: 96, cyclingCostEurPerKWh: 0.03, keepMs: 3_600_000, graceMs: 300_000 },
    lastValid: undefined,
    current: () => undefined,
    newId: () => `cmd-${++id}`,
    ...overrides,
  };
}

describe('planStep (observations -> plan -> keep last valid -> commands)', () => {
  it('plans, keeps the plan as the last valid one, and commands every battery that has no command', () => {
    const step = planStep(context(t0), solver);
    expect(step.schedule.status).toBe('optimal');
    expect(step.kept).toBe(false);
    expect(step.lastValid).toBe(step.schedule);
    expect(step.excluded).toEqual([]);
    expect(step.schedule.staleInputs).toEqual([]);
    const batteries = step.commands.filter((c) => c.command.type === 'battery.setpoint').map((c) => c.deviceId);
    expect(batteries).toEqual(step.input.batteries.map((b) => b.id));
    expect(step.commands.every((c) => c.command.cmdId.startsWith('cmd-'))).toBe(true);
  });

  it.each([
    ['within the keep time: the last valid plan goes on, from now', 10 * 60_000, true, 'feasible'],
    ['past the keep time: the rule-based fallback', 2 * 3_600_000, false, 'fallback'],
  ])('a solver without a plan, %s', (_, laterMs, kept, status) => {
    const first = planStep(context(t0), solver);
    const later = new Date(t0.getTime() + laterMs);
    const step = planStep(context(later, { lastValid: first.lastValid }), failing);
    expect(step.kept).toBe(kept);
    expect(step.schedule.status).toBe(status);
    expect(step.outcome.schedule.status).toBe('fallback');
    // A kept plan is not kept again as if new: the last valid plan stays the one the solver made.
    expect(step.lastValid).toBe(first.lastValid);
    if (kept) expect(Date.parse(step.schedule.slots[0].start) + 15 * 60_000).toBeGreaterThan(later.getTime());
  });

  it('keeps a device command that still holds, and names the lease in the schedule and on every command', () => {
    const first = planStep(context(t0), solver);
    const held = new Map(first.commands.map((c) => [c.deviceId, c.command as CommandPayload]));
    const lease = { holder: 'planner-a', token: 7 };
    const step = planStep(context(new Date(t0.getTime() + 1000), { current: (id) => held.get(id), lease }), solver);
    expect(step.schedule.lease).toEqual(lease);
    // The same plan a second later: no battery needs a new command.
    expect(step.commands.filter((c) => c.command.type === 'battery.setpoint')).toEqual([]);
    const fresh = planStep(context(t0, { lease }), solver);
    expect(fresh.commands.length).toBeGreaterThan(0);
    for (const { command } of fresh.commands) expect(command.leaseToken).toBe(7);
  });

  it('solves what adjustInput makes of the input; the step keeps the observed input', async () => {
    let seen = 0;
    const step = await planStepAsync(
      context(t0, { adjustInput: (input) => ({ ...input, slots: input.slots.slice(0, 8) }) }),
      { name: 'async', solve: async (model, options) => (seen++, solver.solve(model, options)) },
    );
    expect(seen).toBe(1);
    expect(step.schedule.status).toBe('optimal');
    expect(step.schedule.slots).toHaveLength(8);
    expect(step.input.slots).toHaveLength(96);
  });

  it('names the devices left out in the step and in the schedule, and commands none of them', () => {
    const all = observations(t0);
    const silent = { ...all, latest: new Map([...all.latest].filter(([id]) => id !== 'bat-1')) };
    const step = planStep(context(t0, { observations: silent }), solver);
    expect(step.excluded).toEqual(['bat-1: no fresh state of charge']);
    expect(step.schedule.staleInputs).toEqual(step.excluded);
    expect(step.commands.map((c) => c.deviceId)).not.toContain('bat-1');
  });
});
