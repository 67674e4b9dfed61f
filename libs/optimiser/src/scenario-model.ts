import type { LpModel } from './lp-model';
import type { ModelIndex } from './model-parts';

/** One scenario's model, built alone, and its probability. */
export interface ScenarioModel {
  model: LpModel;
  index: ModelIndex;
  probability: number;
}

/**
 * The decisions a plan sends now (its first slot's setpoints): each battery's charge and discharge, each array's
 * curtailment, each sheddable load's shed and recovery, each planned car's charge.
 */
export function firstSlotDecisions(index: ModelIndex): number[] {
  return [
    ...index.batteries.flatMap((b) => [b.chargeKw[0], b.dischargeKw[0]]),
    ...index.pvCurtailKw.map((curtail) => curtail[0]),
    ...index.flexibleLoads.flatMap((l) => [l.shedKw[0], l.recoverKw[0]]),
    ...index.evs.map((ev) => ev.chargeKw[0]),
  ].filter((column): column is number => column !== undefined);
}

/**
 * Two-stage stochastic plan: the scenarios' models side by side, their costs weighted by their probabilities (the
 * expected cost), and the first slot's decisions the same in every scenario (what is sent now cannot know which
 * scenario comes); each scenario plans the rest on its own. The first scenario keeps its names and its place, so its
 * index (returned) decodes the schedule; the others' names are prefixed. Pure.
 */
export function mergeScenarios(scenarios: readonly ScenarioModel[]): { model: LpModel; index: ModelIndex } {
  const model: LpModel = { variables: [], constraints: [], objectiveOffset: 0 };
  const offsets: number[] = [];
  scenarios.forEach(({ model: one, probability }, s) => {
    const offset = model.variables.length;
    offsets.push(offset);
    const prefix = s === 0 ? '' : `s${s}:`;
    for (const v of one.variables) model.variables.push({ ...v, name: prefix + v.name, cost: v.cost * probability });
    for (const c of one.constraints)
      model.constraints.push({
        ...c,
        name: prefix + c.name,
        terms: c.terms.map(([column, coefficient]) => [column + offset, coefficient] as [number, number]),
      });
    model.objectiveOffset += one.objectiveOffset * probability;
  });
  const first = firstSlotDecisions(scenarios[0].index);
  scenarios.slice(1).forEach(({ index }, k) => {
    const s = k + 1;
    const own = firstSlotDecisions(index);
    if (own.length !== first.length)
      throw new Error(`scenario ${s} has ${own.length} first-slot decisions, not ${first.length}`);
    own.forEach((column, j) =>
      model.constraints.push({
        name: `s${s}:nonAnticipative[${j}]`,
        terms: [
          [column + offsets[s], 1],
          [first[j], -1],
        ],
        lower: 0,
        upper: 0,
      }),
    );
  });
  return { model, index: scenarios[0].index };
}
