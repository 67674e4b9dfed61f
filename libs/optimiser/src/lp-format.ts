import type { LpModel } from './lp-model';

/**
 * The model in CPLEX LP format, for other solvers (the native CLP reference of `bench:optimise`) and
 * for reading a model by eye. Columns are x0..xn and rows c0..cm (the model's own names carry
 * brackets LP format does not allow); the objective offset is left out (it changes no decision).
 */
export function toLpFormat(model: LpModel): string {
  const term = (coefficient: number, column: number) =>
    `${coefficient < 0 ? '-' : '+'} ${Math.abs(coefficient)} x${column}`;
  const lines: string[] = ['Minimize', ' obj:'];
  model.variables.forEach((v, i) => {
    if (v.cost !== 0) lines.push(`  ${term(v.cost, i)}`);
  });
  if (lines.length === 2) lines.push('  0 x0');
  lines.push('Subject To');
  model.constraints.forEach((c, r) => {
    const merged = new Map<number, number>();
    for (const [column, coefficient] of c.terms) merged.set(column, (merged.get(column) ?? 0) + coefficient);
    const body = [...merged].filter(([, k]) => k !== 0).map(([column, k]) => `  ${term(k, column)}`);
    if (body.length === 0) return;
    const rows: Array<[string, string]> = [];
    if (c.lower === c.upper) rows.push([`c${r}`, `= ${c.lower}`]);
    else {
      if (Number.isFinite(c.lower)) rows.push([Number.isFinite(c.upper) ? `c${r}_lo` : `c${r}`, `>= ${c.lower}`]);
      if (Number.isFinite(c.upper)) rows.push([Number.isFinite(c.lower) ? `c${r}_hi` : `c${r}`, `<= ${c.upper}`]);
    }
    for (const [name, sense] of rows) lines.push(` ${name}:`, ...body, `  ${sense}`);
  });
  lines.push('Bounds');
  model.variables.forEach((v, i) => {
    const lower = Number.isFinite(v.lower) ? String(v.lower) : '-inf';
    const upper = Number.isFinite(v.upper) ? String(v.upper) : '+inf';
    lines.push(` ${lower} <= x${i} <= ${upper}`);
  });
  lines.push('End', '');
  return lines.join('\n');
}
