// Parsers for the units a scenario file is written in. Each returns a plain number in the
// simulator's units (bytes, seconds, bytes per second, cores) or throws a UnitError that says
// what was expected. YAML/JSON numbers are accepted wherever a bare number is meaningful.

import { describeValue } from './errors.js';

export const EXPECTED = {
  quantity: 'a Kubernetes quantity such as 8Gi',
  size: 'a Kubernetes quantity such as 8Gi',
  cpu: 'a CPU amount such as 2 or 500m',
  duration: 'a duration such as 300ms, 150s, 5m or 1h30m',
  byteRate: 'a byte rate such as 200Mi or 200Mi/s',
  linkRate: 'a bit rate such as 10Gbit or 25Gbps, or a byte rate such as 1250Mi/s',
  version: 'a KubeVirt version such as "v1.9"',
} as const;

export class UnitError extends Error {
  readonly expected: string;
  readonly input: unknown;

  constructor(expected: string, input: unknown, hint?: string) {
    super(`expected ${expected}, got ${describeValue(input)}${hint ? ` (${hint})` : ''}`);
    this.name = 'UnitError';
    this.expected = expected;
    this.input = input;
  }
}

export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

// ---------------------------------------------------------------------------------------------
// Kubernetes quantities (k8s.io/apimachinery resource.Quantity), the exact suffix grammar:
//   <quantity>   ::= <sign>? <number> <suffix>?
//   <number>     ::= <digits> | <digits>.<digits>? | .<digits>
//   <suffix>     ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | k | M | G | T | P | E | (e|E)<sign>?<number>
// "1E" is exa, "1E3" is an exponent (regex alternation backtracks from the single E to the exponent).
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?(?:\d+(?:\.\d*)?|\.\d+)))?$/;
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

interface QuantityParts {
  value: number;
  /** 'binary' (Ki…Ei), 'decimal' (n…E), 'exponent' (1e3) or 'none' (plain number) */
  suffix: 'binary' | 'decimal' | 'exponent' | 'none';
}

function quantityParts(text: string): QuantityParts | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign, mantissa, binary, decimal, exponent] = m;
  const sgn = sign === '-' ? -1 : 1;
  if (binary !== undefined) return { value: sgn * scaled(mantissa!, 0, 2 ** BINARY_SUFFIX[binary]!), suffix: 'binary' };
  if (decimal !== undefined) return { value: sgn * scaled(mantissa!, DECIMAL_SUFFIX[decimal]!, 1), suffix: 'decimal' };
  if (exponent !== undefined) {
    const e = Number(exponent);
    const value = Number.isInteger(e) ? scaled(mantissa!, e, 1) : Number(mantissa) * 10 ** e;
    return { value: sgn * value, suffix: 'exponent' };
  }
  return { value: sgn * scaled(mantissa!, 0, 1), suffix: 'none' };
}

/**
 * mantissa × 10^exp10 × factor with a single rounding step, so that "1.1k" is exactly 1100
 * (1.1 × 1000 in floating point is 1100.0000000000002, which would round a byte count up).
 */
function scaled(mantissa: string, exp10: number, factor: number): number {
  const [int = '', frac = ''] = mantissa.split('.');
  const digits = Number(`${int}${frac}` || '0');
  const e = exp10 - frac.length;
  return e >= 0 ? digits * 10 ** e * factor : (digits * factor) / 10 ** -e;
}

/** A Kubernetes quantity as an exact-ish real number (no rounding). */
export function parseQuantity(input: unknown, expected: string = EXPECTED.quantity): number {
  if (typeof input === 'number' && Number.isFinite(input)) return input;
  if (typeof input === 'string') {
    const parts = quantityParts(input);
    if (parts && Number.isFinite(parts.value)) return parts.value;
  }
  throw new UnitError(expected, input);
}

/** A size in bytes: a non-negative quantity, rounded up to a whole byte like Quantity.Value(). */
export function parseByteSize(input: unknown): number {
  return Math.ceil(nonNegative(parseQuantity(input, EXPECTED.size), input, EXPECTED.size));
}

/** CPU in cores: `2`, `"1.5"`, `"500m"`. */
export function parseCpu(input: unknown): number {
  return nonNegative(parseQuantity(input, EXPECTED.cpu), input, EXPECTED.cpu);
}

// ---------------------------------------------------------------------------------------------
// Durations, Go time.ParseDuration syntax ("300ms", "1h30m", "1.5s", "-2m"), in seconds, plus
// `d` for days (24h), which Go lacks but long horizons want. A bare number means seconds.
const DURATION = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g;
const BARE_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
// Sub-second units divide (300/1000 is exactly the double nearest 0.3; 300 × 0.001 is not).
const DURATION_UNIT: Record<string, { mul: number; div: number }> = {
  ns: { mul: 1, div: 1e9 },
  us: { mul: 1, div: 1e6 },
  µs: { mul: 1, div: 1e6 },
  μs: { mul: 1, div: 1e6 },
  ms: { mul: 1, div: 1e3 },
  s: { mul: 1, div: 1 },
  m: { mul: 60, div: 1 },
  h: { mul: 3600, div: 1 },
  d: { mul: 86400, div: 1 },
};

/** A Go-style duration in seconds (may be negative, as in Go). */
export function parseDuration(input: unknown): number {
  if (typeof input === 'number' && Number.isFinite(input)) return input;
  if (typeof input === 'string') {
    const text = input.trim();
    if (BARE_NUMBER.test(text)) return Number(text);
    if (DURATION.test(text)) {
      let total = 0;
      for (const [, n, unit] of text.matchAll(DURATION_PART)) {
        const u = DURATION_UNIT[unit!]!;
        total += (Number(n) * u.mul) / u.div;
      }
      return text.startsWith('-') ? -total : total;
    }
  }
  throw new UnitError(EXPECTED.duration, input);
}

// ---------------------------------------------------------------------------------------------
// Rates, in bytes per second.

/** `10Gbit`, `25Gbps`, `100Mbit`, `1Gbit/s`, `1Gibit`; decimal (SI) or binary prefixes. */
const BIT_RATE = /^(\d+(?:\.\d*)?|\.\d+) ?(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?(?:bit|bits|bit\/s|bits\/s|bps)$/;
const BIT_PREFIX: Record<string, { exp10: number; factor: number }> = {
  k: { exp10: 3, factor: 1 },
  K: { exp10: 3, factor: 1 },
  M: { exp10: 6, factor: 1 },
  G: { exp10: 9, factor: 1 },
  T: { exp10: 12, factor: 1 },
  P: { exp10: 15, factor: 1 },
  Ki: { exp10: 0, factor: 2 ** 10 },
  Mi: { exp10: 0, factor: 2 ** 20 },
  Gi: { exp10: 0, factor: 2 ** 30 },
  Ti: { exp10: 0, factor: 2 ** 40 },
  Pi: { exp10: 0, factor: 2 ** 50 },
};

function bitRate(text: string): number | undefined {
  const m = BIT_RATE.exec(text.trim());
  if (!m) return undefined;
  const prefix = BIT_PREFIX[m[2] ?? ''] ?? { exp10: 0, factor: 1 };
  return scaled(m[1]!, prefix.exp10, prefix.factor) / 8;
}

/** A quantity of bytes per second: `200Mi`, `200Mi/s`, `1.5G/s`, a bare number. Not negative. */
export function parseByteRate(input: unknown): number {
  const text = typeof input === 'string' ? input.trim().replace(/\/s$/, '') : input;
  let value: number;
  try {
    value = parseQuantity(text);
  } catch {
    throw new UnitError(EXPECTED.byteRate, input);
  }
  return nonNegative(value, input, EXPECTED.byteRate);
}

/**
 * The rate of a link (NIC, rack uplink). Bits when the unit says so (`10Gbit`, `25Gbps`);
 * otherwise a byte quantity per second: `1250Mi` or `1250Mi/s` = 1250 MiB/s, a bare number =
 * bytes/s. A decimal quantity without `/s` (`10G`) is rejected: it reads as 10 Gbit to most
 * people but as 10 GB/s to Kubernetes, a factor of 8 we refuse to guess.
 */
export function parseLinkRate(input: unknown): number {
  if (typeof input === 'number') return nonNegative(parseQuantity(input, EXPECTED.linkRate), input, EXPECTED.linkRate);
  if (typeof input === 'string') {
    const bits = bitRate(input);
    if (bits !== undefined) return bits;
    const text = input.trim();
    const perSecond = text.endsWith('/s');
    const parts = quantityParts(perSecond ? text.slice(0, -2) : text);
    if (parts && Number.isFinite(parts.value)) {
      if (parts.suffix === 'decimal' && !perSecond) {
        throw new UnitError(EXPECTED.linkRate, input, `ambiguous: write ${text}bit for bits or ${text}/s for bytes per second`);
      }
      return nonNegative(parts.value, input, EXPECTED.linkRate);
    }
  }
  throw new UnitError(EXPECTED.linkRate, input);
}

// ---------------------------------------------------------------------------------------------

/** "v1.9", "1.9", "v1.9.0", "v1.9.0-rc.1" → {major: 1, minor: 9}. */
export function parseKubeVirtVersion(input: unknown): { major: number; minor: number } {
  if (typeof input === 'number') {
    throw new UnitError(EXPECTED.version, input, 'quote it: YAML reads 1.10 as the number 1.1');
  }
  if (typeof input === 'string') {
    const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]*)?$/.exec(input.trim());
    if (m) return { major: Number(m[1]), minor: Number(m[2]) };
  }
  throw new UnitError(EXPECTED.version, input);
}

/** Rejects a negative value with the field's own expectation text. */
export function nonNegative(value: number, input: unknown, expected: string): number {
  if (value < 0) throw new UnitError(expected, input, 'must not be negative');
  return value;
}

// ---------------------------------------------------------------------------------------------
// Inverses, for messages: values are shown the way a user would have written them.

/** 4294967296 → "4Gi", 1536 → "1.5Ki", 1000 → "1000". */
export function formatBytes(bytes: number): string {
  for (const [suffix, unit] of [['Ti', 1024 ** 4], ['Gi', GiB], ['Mi', MiB], ['Ki', KiB]] as const) {
    if (Math.abs(bytes) >= unit && Number.isInteger((bytes / unit) * 100)) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** 5400 → "1h30m", 0.3 → "300ms", 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${Math.round(seconds * 1e6) / 1e3}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
