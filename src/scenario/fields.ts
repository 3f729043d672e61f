// Building blocks of the zod schemas: unit-parsed fields, shape dispatch, and the messages that
// replace zod's defaults so that every problem reads "expected …, got …" in the user's terms.

import * as z from 'zod';
import { describeValue, didYouMean, type PathIssue } from './errors.js';
import type { Distribution } from './types.js';
import {
  EXPECTED,
  formatDuration,
  UnitError,
  nonNegative,
  parseByteRate,
  parseByteSize,
  parseCpu,
  parseDuration,
  parseLinkRate,
} from './units.js';
import { MAX_LINK_RATE } from './limits.js';

// --- messages ------------------------------------------------------------------------------------

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  null: 'null',
};

function missing(expected: string): string {
  return `required field is missing; expected ${expected}`;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length === 1 ? JSON.stringify(values[0]) : `one of ${shown.join(', ')}`;
}

/** zod error map: every built-in issue in the words of the scenario format. */
export const issueMessage: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) {
        const words = TYPE_WORDS[iss.expected];
        return words === undefined ? 'required field is missing' : missing(words);
      }
      const words = TYPE_WORDS[iss.expected] ?? iss.expected;
      const hint =
        iss.expected === 'string' && (typeof iss.input === 'number' || typeof iss.input === 'boolean')
          ? ` (quote it: "${String(iss.input)}")`
          : '';
      return `expected ${words}, got ${describeValue(iss.input)}${hint}`;
    }
    case 'invalid_value': {
      if (iss.input === undefined) return missing(oneOf(iss.values));
      const strings = iss.values.filter((v): v is string => typeof v === 'string');
      const hint = typeof iss.input === 'string' ? didYouMean(iss.input, strings) : '';
      return `expected ${oneOf(iss.values)}, got ${describeValue(iss.input)}${hint}`;
    }
    case 'too_small': {
      const bound = Number(iss.minimum);
      if (iss.origin === 'array') return `expected at least ${bound} item${bound === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return 'expected a non-empty string';
      return `expected ${iss.inclusive ? 'at least' : 'more than'} ${bound}, got ${describeValue(iss.input)}`;
    }
    case 'too_big': {
      const bound = Number(iss.maximum);
      if (iss.origin === 'array') return `expected at most ${bound} item${bound === 1 ? '' : 's'}`;
      return `expected ${iss.inclusive ? 'at most' : 'less than'} ${bound}, got ${describeValue(iss.input)}`;
    }
    case 'unrecognized_keys': {
      // One line per key, split into one issue per key by toPathIssues (the final issue no
      // longer carries the schema, so the suggestion has to be made here).
      const shape = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      const known = shape ? Object.keys(shape) : [];
      return iss.keys.map((k) => `unknown field${didYouMean(k, known)}`).join('\n');
    }
    default:
      return undefined;
  }
};

export const PARSE_OPTIONS = { error: issueMessage } as const;

/** Zod issues → path issues; an unknown-keys issue becomes one issue per key, pointing at the key. */
export function toPathIssues(issues: readonly z.core.$ZodIssue[]): PathIssue[] {
  const out: PathIssue[] = [];
  for (const iss of issues) {
    const path = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (iss.code === 'unrecognized_keys') {
      const lines = iss.message.split('\n');
      iss.keys.forEach((key, i) => out.push({ path: [...path, key], message: lines[i] ?? 'unknown field', atKey: true }));
    } else {
      const atKey = iss.code === 'custom' && (iss.params as { atKey?: boolean } | undefined)?.atKey === true;
      out.push(atKey ? { path, message: iss.message, atKey } : { path, message: iss.message });
    }
  }
  return out;
}

type Ctx = z.RefinementCtx;

/** Adds located issues to the current parse (paths relative to the value being transformed). */
export function addIssues(ctx: Ctx, issues: readonly PathIssue[]): void {
  for (const i of issues) {
    ctx.addIssue({ code: 'custom', message: i.message, path: i.path, ...(i.atKey ? { params: { atKey: true } } : {}) });
  }
}

export function addIssue(ctx: Ctx, path: PathIssue['path'], message: string): void {
  ctx.addIssue({ code: 'custom', message, path });
}

// --- field schemas -----------------------------------------------------------------------------

/** A field read by one of the parsers of units.ts (which know the expectation text). */
export function parsed<T>(parse: (raw: unknown) => T, expected: string) {
  return z.any().transform((raw, ctx): T => {
    if (raw === undefined) {
      addIssue(ctx, [], missing(expected));
      return z.NEVER;
    }
    try {
      return parse(raw);
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      addIssue(ctx, [], e.message);
      return z.NEVER;
    }
  });
}

function positive(value: number, raw: unknown, expected: string): number {
  if (value <= 0) throw new UnitError(expected, raw, 'must be greater than 0');
  return value;
}

/** bytes, ≥ 0 */
export const size = () => parsed(parseByteSize, EXPECTED.size);
/** bytes, > 0 */
export const positiveSize = () => parsed((v) => positive(parseByteSize(v), v, EXPECTED.size), EXPECTED.size);
/** cores, ≥ 0 */
export const cpu = () => parsed(parseCpu, EXPECTED.cpu);
/** seconds, ≥ 0 */
export const duration = () => parsed((v) => nonNegative(parseDuration(v), v, EXPECTED.duration), EXPECTED.duration);
/** seconds, > 0 */
export const positiveDuration = () => parsed((v) => positive(parseDuration(v), v, EXPECTED.duration), EXPECTED.duration);
/** bytes/s, ≥ 0 */
export const byteRate = () => parsed(parseByteRate, EXPECTED.byteRate);
/** bytes/s of a link, > 0 (bits or bytes, see parseLinkRate) */
export const linkRate = () => parsed((v) => belowLinkLimit(positive(parseLinkRate(v), v, EXPECTED.linkRate), v), EXPECTED.linkRate);

/** A link faster than any NIC made (limits.ts) is a typo, and would make transfers take no time. */
function belowLinkLimit(bytesPerSecond: number, raw: unknown): number {
  if (bytesPerSecond > MAX_LINK_RATE) throw new UnitError(EXPECTED.linkRate, raw, 'the limit is 10Tbit');
  return bytesPerSecond;
}

export const nonEmptyString = () => z.string().min(1);
export const labels = () => z.record(z.string(), z.string());
export const count = () => z.number().int().min(0);

/** A number in [0, 1). */
export const fraction = () =>
  z.number().refine((v) => v >= 0 && v < 1, { error: (iss) => `expected a fraction in [0, 1), got ${describeValue(iss.input)}` });

/** A number in [0, 1]. */
export const closedFraction = () =>
  z.number().refine((v) => v >= 0 && v <= 1, { error: (iss) => `expected a number in [0, 1], got ${describeValue(iss.input)}` });

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A field with several accepted shapes (a quantity or a list of phases, a string or a mapping…).
 * `choose` looks at the raw value and returns the schema for its shape, a ready-made issue, or
 * undefined (no shape fits: "expected <expected>"). Unlike z.union, the user sees the problems of
 * the one shape they wrote, not a pile of every alternative's complaints.
 */
export function byShape<T>(expected: string, choose: (raw: unknown) => z.ZodType<T> | PathIssue | undefined) {
  return z.any().transform((raw, ctx): T => {
    if (raw === undefined) {
      addIssue(ctx, [], missing(expected));
      return z.NEVER;
    }
    const chosen = choose(raw);
    if (chosen === undefined) {
      addIssue(ctx, [], `expected ${expected}, got ${describeValue(raw)}`);
      return z.NEVER;
    }
    if (!(chosen instanceof z.ZodType)) {
      addIssues(ctx, [chosen]);
      return z.NEVER;
    }
    const result = chosen.safeParse(raw, PARSE_OPTIONS);
    if (result.success) return result.data;
    addIssues(ctx, toPathIssues(result.error.issues));
    return z.NEVER;
  });
}

/**
 * Sorts time-stamped entries by `at` (keeping each one's index in the file for messages) and
 * reports two entries at the same instant, which would leave the value at that instant ambiguous.
 */
export function timeline<T extends { at: number }>(items: readonly T[], ctx: Ctx, listPath: PathIssue['path'] = []): T[] {
  const order = items.map((item, index) => ({ item, index })).sort((a, b) => a.item.at - b.item.at);
  for (let k = 1; k < order.length; k++) {
    if (order[k]!.item.at === order[k - 1]!.item.at) {
      addIssue(ctx, [...listPath, order[k]!.index, 'at'], `two entries at the same time (also entry ${order[k - 1]!.index})`);
    }
  }
  return order.map((o) => o.item);
}

// --- shared compound fields ----------------------------------------------------------------------

const DISTRIBUTION_NAMES = ['uniform', 'normal', 'lognormal', 'exponential'] as const;

const DISTRIBUTION_SHAPES: Record<(typeof DISTRIBUTION_NAMES)[number], z.ZodType<Distribution>> = {
  uniform: z
    .strictObject({ distribution: z.literal('uniform'), min: duration(), max: duration() })
    .transform((d, ctx): Distribution => {
      if (d.max < d.min) addIssue(ctx, ['max'], `expected at least min (${formatDuration(d.min)}), got ${formatDuration(d.max)}`);
      return { kind: 'uniform', min: d.min, max: d.max };
    }),
  normal: z
    .strictObject({ distribution: z.literal('normal'), mean: duration(), stddev: duration(), min: duration().default(0) })
    .transform((d): Distribution => ({ kind: 'normal', mean: d.mean, stddev: d.stddev, min: d.min })),
  lognormal: z
    .strictObject({ distribution: z.literal('lognormal'), median: positiveDuration(), sigma: z.number().min(0) })
    .transform((d): Distribution => ({ kind: 'lognormal', median: d.median, sigma: d.sigma })),
  exponential: z
    .strictObject({ distribution: z.literal('exponential'), mean: positiveDuration() })
    .transform((d): Distribution => ({ kind: 'exponential', mean: d.mean })),
};

const fixedDistribution = () => duration().transform((value): Distribution => ({ kind: 'fixed', value }));

/** A duration, fixed (`5s`) or random (`{distribution: uniform, min: 1s, max: 10s}`), in seconds. */
export const distribution = () =>
  byShape<Distribution>('a duration such as 5s, or {distribution: uniform | normal | lognormal | exponential, …}', (raw) => {
    if (typeof raw === 'string' || typeof raw === 'number') return fixedDistribution();
    if (!isPlainObject(raw)) return undefined;
    const name = raw['distribution'];
    if (typeof name === 'string' && name in DISTRIBUTION_SHAPES) {
      return DISTRIBUTION_SHAPES[name as keyof typeof DISTRIBUTION_SHAPES];
    }
    const expected = `one of ${DISTRIBUTION_NAMES.join(', ')}`;
    return {
      path: ['distribution'],
      message:
        name === undefined
          ? missing(expected)
          : `expected ${expected}, got ${describeValue(name)}${typeof name === 'string' ? didYouMean(name, DISTRIBUTION_NAMES) : ''}`,
    };
  });

export const EVICTION_STRATEGIES = ['LiveMigrate', 'LiveMigrateIfPossible', 'None', 'External'] as const;
export const evictionStrategy = () => z.enum(EVICTION_STRATEGIES);

// ObjectMeta fields that `kubectl get -o yaml` prints: accepted so that real manifests load
// unchanged, and ignored.
const IGNORED_METADATA = Object.fromEntries(
  [
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'managedFields',
    'finalizers',
    'ownerReferences',
    'selfLink',
  ].map((k) => [k, z.unknown().optional()]),
);

const metadataFields = () => ({
  generateName: z.string().optional(),
  namespace: nonEmptyString().optional(),
  labels: labels().default(() => ({})),
  annotations: labels().default(() => ({})),
  ...IGNORED_METADATA,
});

/** Kubernetes ObjectMeta of an inline manifest that must be named. */
export const namedMetadata = () => z.strictObject({ name: nonEmptyString(), ...metadataFields() });

/** Kubernetes ObjectMeta of an inline manifest that may use generateName instead. */
export const metadata = () => z.strictObject({ name: nonEmptyString().optional(), ...metadataFields() });

/** `{matchLabels: {...}}` */
export const labelSelector = () => z.strictObject({ matchLabels: labels() });
