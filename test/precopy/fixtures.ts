// Shared builders for the pre-copy, monitor and network suites: a two-node pair (a → b) with a
// chosen NIC speed, one VM on a, and accessors for the migration record and the log.
import { expect } from 'vitest';
import type { LogEvent, LogEventType } from '../../src/log/events.js';
import type { MigrationRecord } from '../../src/metrics/results.js';
import type { DirtyModelSpec, NodeSpec, Operation, Scenario, VmSpec } from '../../src/scenario/types.js';
import { run } from '../helpers/run.js';
import { Gi, Mi, migrate, node, scenario, vm, type ScenarioParts } from '../helpers/scenario.js';

export { Gi, Mi };

/** 10 Gb/s in bytes/s (the helpers' default NIC). */
export const TEN_GBIT = 10e9 / 8;

/**
 * Wire bytes per guest byte of a normal 4 KiB page: QEMU sends an 8-byte header before each page
 * (migration/ram.c save_page_header), so (4096 + 8)/4096 = 513/512 = 1.001953125 exactly.
 */
export const K = 513 / 512;
/** Wire bytes of a zero page: the header plus one flag byte (save_zero_page). */
export const ZERO_PAGE = 9;

/** transferredBytes is a whole number within one byte of the exact fluid value. */
export function expectBytes(actual: number, exact: number): void {
  expect(Number.isInteger(actual)).toBe(true);
  expect(Math.abs(actual - exact)).toBeLessThanOrEqual(1);
}

export type Result = ReturnType<typeof run>;

export function constant(rate: number, workingSet: number): DirtyModelSpec {
  return { kind: 'constant', rate, workingSet };
}

/** A migrate operation pinned to a target node through spec.addedNodeSelector. */
export function migrateTo(vmi: string, target: string, at = 0): Operation {
  return { kind: 'migrate', at, vmi, name: null, addedNodeSelector: { 'kubernetes.io/hostname': target }, apiKind: 'shorthand', annotations: {} };
}

/** A network-wide outage of the migration network. */
export function outage(at: number, duration: number): Operation {
  return { kind: 'outage', at, duration, scope: { kind: 'network' }, networkName: null };
}

export interface PairOptions {
  /** NIC speed of both nodes, bytes/s */
  nic: number;
  vm: Partial<VmSpec>;
  migrations?: ScenarioParts['migrations'];
  operations?: Operation[];
  keepalive?: ScenarioParts['keepalive'];
  version?: ScenarioParts['version'];
  switchoverCost?: number;
  downtimeLimit?: number;
  switchover?: 'rounds' | 'qemu';
  nodeOver?: Partial<NodeSpec>;
  over?: Partial<Scenario>;
}

/** VM `x` on node a, node b empty, `migrate x` at t = 0 (plus any extra operations). */
export function pair(o: PairOptions): Scenario {
  const nics = { pod: o.nic };
  return scenario({
    nodes: [node('a', { nics, ...o.nodeOver }), node('b', { nics, ...o.nodeOver })],
    vms: [vm('x', 'a', o.vm)],
    operations: [migrate('default/x'), ...(o.operations ?? [])],
    migrations: o.migrations,
    keepalive: o.keepalive,
    version: o.version,
    switchoverCost: o.switchoverCost,
    downtimeLimit: o.downtimeLimit,
    switchover: o.switchover,
    over: o.over,
  });
}

export interface One {
  r: Result;
  m: MigrationRecord;
  /** migration duration, endedAt − startedAt */
  dur: number;
}

/** Run a scenario with exactly one migration and return its record. */
export function one(s: Scenario): One {
  const r = run(s);
  expect1(r.migrations.length);
  const m = r.migrations[0]!;
  return { r, m, dur: (m.endedAt ?? NaN) - (m.startedAt ?? NaN) };
}

function expect1(n: number): void {
  if (n !== 1) throw new Error(`expected exactly one migration, got ${n}`);
}

export function events<T extends LogEventType>(r: Result, type: T, migration?: string): Extract<LogEvent, { type: T }>[] {
  return r.sim.log.events.filter(
    (e): e is Extract<LogEvent, { type: T }> => e.type === type && (migration === undefined || (e as { migration?: string }).migration === migration),
  );
}

export function record(r: Result, vmi: string): MigrationRecord {
  const m = r.migrations.find((x) => x.vmi === vmi);
  if (!m) throw new Error(`no migration for ${vmi}`);
  return m;
}
