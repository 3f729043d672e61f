// The grid of a sweep: `--set PATH=V1,V2,…` or `--set PATH=start..end/step`, values kept as the user
// wrote them (quantities, durations, booleans) so that each point is a patch of the raw scenario
// document by path, re-loaded by the normal loader.

export interface Axis {
  path: string;
  /** values as written in a scenario file: "256Mi", "true", "5" */
  values: string[];
}

export interface GridPoint {
  /** `path=value` overrides, one per axis, in axis order */
  overrides: string[];
  /** path → value */
  values: Record<string, string>;
}

/** A stated bound: a grid past this many points is a mistake, not a sweep. */
export const MAX_GRID_POINTS = 10_000;

export class GridError extends Error {}

/** `PATH=V1,V2,…` or `PATH=start..end/step` (same unit suffix on all three, e.g. `64Mi..512Mi/64Mi`). */
export function parseAxis(text: string): Axis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new GridError(`--set ${text}: expected PATH=V1,V2,… or PATH=start..end/step`);
  const path = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  if (spec === '') throw new GridError(`--set ${path}: no values`);
  const values = spec.includes('..') ? range(path, spec) : spec.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new GridError(`--set ${path}: an empty value in "${spec}"`);
  if (new Set(values).size !== values.length) throw new GridError(`--set ${path}: a value is listed twice in "${spec}"`);
  return { path, values };
}

const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)([A-Za-z]*)$/;

function range(path: string, spec: string): string[] {
  const bad = (why: string): GridError => new GridError(`--set ${path}=${spec}: ${why}`);
  const [from, rest, extra] = spec.split('..');
  const [to, step_, extra2] = (rest ?? '').split('/');
  if (extra !== undefined || extra2 !== undefined || step_ === undefined) throw bad('expected start..end/step, e.g. 64Mi..512Mi/64Mi or 1..8/1');
  const parts = [from!, to!, step_].map((p) => NUMBER_WITH_UNIT.exec(p.trim()));
  if (parts.some((p) => p === null)) throw bad('start, end and step must be numbers with the same unit suffix');
  const [start, end, step] = parts.map((p) => Number(p![1]));
  const units = new Set(parts.map((p) => p![2]));
  if (units.size !== 1) throw bad(`start, end and step must share one unit (got ${[...units].map((u) => u || 'none').join(', ')})`);
  if (!(step! > 0)) throw bad('the step must be positive');
  if (end! < start!) throw bad('the end is below the start');
  const count = Math.floor((end! - start!) / step! + 1e-9) + 1;
  if (count > MAX_GRID_POINTS) throw bad(`${count} values, more than the ${MAX_GRID_POINTS} a sweep allows`);
  const unit = [...units][0]!;
  // 12 significant digits: 0.1 + 0.2 is written 0.3, as the user would
  return Array.from({ length: count }, (_, i) => `${Number((start! + i * step!).toPrecision(12))}${unit}`);
}

/** Every combination, the first axis varying slowest. */
export function gridPoints(axes: readonly Axis[]): GridPoint[] {
  const paths = axes.map((a) => a.path);
  if (new Set(paths).size !== paths.length) throw new GridError(`--set: a path is given twice (${paths.find((p, i) => paths.indexOf(p) !== i)})`);
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_GRID_POINTS) throw new GridError(`the grid has ${total} points, more than the ${MAX_GRID_POINTS} a sweep allows`);
  let points: GridPoint[] = [{ overrides: [], values: {} }];
  for (const axis of axes) {
    points = points.flatMap((p) =>
      axis.values.map((v) => ({ overrides: [...p.overrides, `${axis.path}=${v}`], values: { ...p.values, [axis.path]: v } })),
    );
  }
  return points;
}
