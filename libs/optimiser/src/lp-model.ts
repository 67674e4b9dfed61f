/**
 * A solver-neutral linear program: minimise sum(cost * x) subject to
 * lower <= sum(coefficient * x) <= upper for every row and lower <= x <= upper for every column.
 */
export interface LpVariable {
  name: string;
  lower: number;
  upper: number;
  cost: number;
}

export interface LpConstraint {
  name: string;
  terms: Array<[variableIndex: number, coefficient: number]>;
  lower: number;
  upper: number;
}

export interface LpModel {
  variables: LpVariable[];
  constraints: LpConstraint[];
  /** Constant added to the objective (terms that do not depend on any variable). */
  objectiveOffset: number;
}

export class LpModelBuilder {
  private readonly model: LpModel = { variables: [], constraints: [], objectiveOffset: 0 };

  addVariable(name: string, lower: number, upper: number, cost = 0): number {
    this.model.variables.push({ name, lower, upper, cost });
    return this.model.variables.length - 1;
  }

  addConstraint(name: string, terms: Array<[number, number]>, lower: number, upper: number): number {
    this.model.constraints.push({ name, terms, lower, upper });
    return this.model.constraints.length - 1;
  }

  addObjectiveOffset(value: number): void {
    this.model.objectiveOffset += value;
  }

  build(): LpModel {
    return this.model;
  }
}

export function objectiveValue(model: LpModel, values: ArrayLike<number>): number {
  return model.variables.reduce((sum, v, i) => sum + v.cost * values[i], model.objectiveOffset);
}
