import { describe, expect, it } from 'vitest';
import {
  GiB,
  KiB,
  MiB,
  UnitError,
  formatBytes,
  formatDuration,
  parseByteRate,
  parseByteSize,
  parseCpu,
  parseDuration,
  parseKubeVirtVersion,
  parseLinkRate,
  parseQuantity,
} from '../../src/scenario/units.js';

describe('Kubernetes quantities', () => {
  it.each([
    // binary suffixes
    ['64Mi', 64 * MiB],
    ['8Gi', 8 * GiB],
    ['1.5Gi', 1.5 * GiB],
    ['4Ki', 4 * KiB],
    ['1Ti', 1024 ** 4],
    ['1Pi', 1024 ** 5],
    ['1Ei', 1024 ** 6],
    // decimal suffixes
    ['1G', 1e9],
    ['500M', 5e8],
    ['2k', 2000],
    ['1.1k', 1100], // exact: not 1100.0000000000002
    ['3T', 3e12],
    ['1P', 1e15],
    ['1E', 1e18], // a lone E is exa…
    ['1E3', 1000], // …an E followed by a number is an exponent
    ['1e3', 1000],
    ['2.5e-3', 0.0025],
    ['100m', 0.1],
    ['250u', 0.00025],
    ['7n', 7e-9],
    // plain numbers, signs, the grammar's number forms
    ['0', 0],
    ['0Mi', 0],
    ['12', 12],
    ['.5', 0.5],
    ['5.', 5],
    ['+3', 3],
    ['-1Gi', -GiB],
    [' 8Gi ', 8 * GiB],
    [1073741824, GiB],
    [0.25, 0.25],
  ])('%j → %d', (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });

  it.each(['8GG', '8gi', '8 Gi', 'Gi', '', '1e', '1KiB', '1.2.3', 'ten', '1k8', '--1', '8Gi/s'])('rejects %j', (input) => {
    expect(() => parseQuantity(input)).toThrow(UnitError);
    expect(() => parseQuantity(input)).toThrow(`expected a Kubernetes quantity such as 8Gi, got ${JSON.stringify(input)}`);
  });

  it.each([[null], [true], [[1]], [{}], [Infinity]])('rejects the non-quantity %j', (input) => {
    expect(() => parseQuantity(input)).toThrow(UnitError);
  });

  it('sizes are whole, non-negative bytes, rounded up like Quantity.Value()', () => {
    expect(parseByteSize('1.1Gi')).toBe(Math.ceil(1.1 * GiB));
    expect(parseByteSize('100m')).toBe(1);
    expect(parseByteSize('1.1k')).toBe(1100);
    expect(() => parseByteSize('-1Gi')).toThrow('expected a Kubernetes quantity such as 8Gi, got "-1Gi" (must not be negative)');
  });

  it.each([
    [32, 32],
    ['32', 32],
    ['32000m', 32],
    ['500m', 0.5],
    ['1.5', 1.5],
  ])('cpu %j → %d cores', (input, cores) => {
    expect(parseCpu(input)).toBe(cores);
  });
});

describe('durations (Go syntax; a bare number is seconds)', () => {
  it.each([
    ['300ms', 0.3],
    ['150s', 150],
    ['5m', 300],
    ['1h30m', 5400],
    ['1.5s', 1.5],
    ['2h', 7200],
    ['1m30s', 90],
    ['1h0m0s', 3600],
    ['24h0m0s', 86400],
    ['3d', 3 * 86400], // extension: days
    ['250us', 0.00025],
    ['250µs', 0.00025],
    ['10ns', 1e-8],
    ['.5h', 1800],
    ['0', 0],
    ['0s', 0],
    ['150', 150],
    ['1.5', 1.5],
    ['-2m', -120],
    [150, 150],
    [0.3, 0.3],
  ])('%j → %d s', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['5 m', '5M', 'm', '5x', '1h 30m', 'ms', '', '1w', 'PT5M'])('rejects %j', (input) => {
    expect(() => parseDuration(input)).toThrow(`expected a duration such as 300ms, 150s, 5m or 1h30m, got ${JSON.stringify(input)}`);
  });
});

describe('rates', () => {
  it.each([
    // bits → bytes/s = bits / 8, decimal SI prefixes
    ['10Gbit', 1.25e9],
    ['25Gbps', 3.125e9],
    ['100Mbit', 12.5e6],
    ['1Gbit/s', 125e6],
    ['40Gbits/s', 5e9],
    ['10 Gbit', 1.25e9],
    ['800kbit', 1e5],
    ['1Tbit', 1.25e11],
    ['8bit', 1],
    ['1Gibit', GiB / 8],
    // a byte quantity per second
    ['1250Mi', 1250 * MiB],
    ['1250Mi/s', 1250 * MiB],
    ['1.25G/s', 1.25e9],
    ['1e9', 1e9],
    [1250000000, 1.25e9],
  ])('link rate %j → %d bytes/s', (input, bytesPerSecond) => {
    expect(parseLinkRate(input)).toBe(bytesPerSecond);
  });

  it('refuses to guess whether a decimal quantity on a link means bits or bytes', () => {
    expect(() => parseLinkRate('10G')).toThrow(
      'expected a bit rate such as 10Gbit or 25Gbps, or a byte rate such as 1250Mi/s, got "10G" (ambiguous: write 10Gbit for bits or 10G/s for bytes per second)',
    );
  });

  it.each(['10GB', '10GBps', '10 gbit', 'fast', '-1Gbit', '10Gbit/h'])('rejects the link rate %j', (input) => {
    expect(() => parseLinkRate(input)).toThrow(UnitError);
  });

  it.each([
    ['200Mi', 200 * MiB],
    ['200Mi/s', 200 * MiB],
    ['64Mi', 64 * MiB],
    ['0Mi', 0],
    ['0', 0],
    [0, 0],
    ['1.5G/s', 1.5e9],
  ])('byte rate %j → %d bytes/s', (input, bytesPerSecond) => {
    expect(parseByteRate(input)).toBe(bytesPerSecond);
  });

  it.each(['200MB/s', '200Mi/h', '1Gbit', '/s'])('rejects the byte rate %j', (input) => {
    expect(() => parseByteRate(input)).toThrow(`expected a byte rate such as 200Mi or 200Mi/s, got ${JSON.stringify(input)}`);
  });

  it('rejects a negative byte rate', () => {
    expect(() => parseByteRate('-1Mi')).toThrow('(must not be negative)');
  });
});

describe('KubeVirt versions', () => {
  it.each([
    ['v1.9', { major: 1, minor: 9 }],
    ['1.9', { major: 1, minor: 9 }],
    ['v1.9.0', { major: 1, minor: 9 }],
    ['v1.10.2', { major: 1, minor: 10 }],
    ['v0.44.0', { major: 0, minor: 44 }],
    ['v1.5.0-rc.1', { major: 1, minor: 5 }],
  ])('%j → %j', (input, version) => {
    expect(parseKubeVirtVersion(input)).toEqual(version);
  });

  it('rejects an unquoted YAML number, which has lost its trailing zeros', () => {
    expect(() => parseKubeVirtVersion(1.1)).toThrow(
      'expected a KubeVirt version such as "v1.9", got 1.1 (quote it: YAML reads 1.10 as the number 1.1)',
    );
  });

  it.each(['1', 'v1', 'latest', 'v1.x'])('rejects %j', (input) => {
    expect(() => parseKubeVirtVersion(input)).toThrow('expected a KubeVirt version such as "v1.9"');
  });
});

describe('formatting values back for messages', () => {
  it.each([
    [4 * GiB, '4Gi'],
    [1.5 * GiB, '1.5Gi'],
    [64 * MiB, '64Mi'],
    [4096, '4Ki'],
    [1000, '1000'],
  ])('bytes %d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [5400, '1h30m'],
    [0.3, '300ms'],
    [90, '1m30s'],
    [10, '10s'],
    [0, '0s'],
    [3600, '1h'],
  ])('seconds %d → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
