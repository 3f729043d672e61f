// simulate() hands events to observers instead of storing a log; draws are named by
// (seed, purpose, entity); a looping run stops at the event budget.
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/engine/random.js';
import { EventBudgetExceeded } from '../../src/engine/simulator.js';
import type { LogEvent } from '../../src/log/events.js';
import { computeResults } from '../../src/metrics/results.js';
import { simulate } from '../../src/sim/simulation.js';
import { eventsOf } from '../helpers/log.js';
import { run } from '../helpers/run.js';
import { Gi, Mi, migrate, node, scenario, vm } from '../helpers/scenario.js';

const uniform = (min: number, max: number) => ({ kind: 'uniform', min, max }) as const;

// Every control-plane latency random, so that each migration makes several draws.
const randomControlPlane = {
  targetPodStartup: uniform(2, 8),
  handoff: uniform(0.1, 1),
  targetPreparation: uniform(0.5, 3),
  migrationStart: uniform(0.1, 0.5),
  cleanup: uniform(1, 4),
  unschedulablePendingTimeout: 300,
  catchAllPendingTimeout: 900,
};

function twoVms(withB: boolean, bMemory = 4 * Gi) {
  return scenario({
    nodes: [node('a'), node('b')],
    vms: [vm('a', 'a', { memory: 2 * Gi, dirty: { kind: 'constant', rate: 10 * Mi, workingSet: Gi } }), ...(withB ? [vm('b', 'a', { memory: bMemory })] : [])],
    // b goes first: with one shared stream per purpose it would take a's draws
    operations: [...(withB ? [migrate('default/b', 0)] : []), migrate('default/a', 30)],
    over: { controlPlane: randomControlPlane },
  });
}

/** What the draws decide for VM a's migration: its name and the instants of its phases. */
function drawsOfA(s: ReturnType<typeof twoVms>) {
  const r = run(s);
  const m = r.migrations.find((x) => x.vmi === 'default/a')!;
  const phases = eventsOf(r.sim.log.events, 'MigrationPhase').filter((e) => e.migration === m.name);
  return { name: m.name, phases: phases.map((e) => [e.phase, e.t]), started: m.startedAt, ended: m.endedAt };
}

describe('common random numbers: draws by (seed, purpose, entity)', () => {
  it('a VM draws the same latencies whether or not another VM migrates before it', () => {
    const alone = drawsOfA(twoVms(false));
    expect(alone.phases.length).toBeGreaterThan(4);
    expect(drawsOfA(twoVms(true))).toEqual(alone);
  });

  it("changing one VM's field leaves every other VM's draws unchanged", () => {
    expect(drawsOfA(twoVms(true, 8 * Gi))).toEqual(drawsOfA(twoVms(true, 4 * Gi)));
  });

  it('a stream depends only on (seed, purpose, entity)', () => {
    const r = new RandomStreams(7);
    const first = [r.stream('p', 'e')(), r.stream('p', 'e')()];
    expect(first[0]).toBe(first[1]);
    expect(r.stream('p', 'f')()).not.toBe(first[0]);
    expect(r.stream('q', 'e')()).not.toBe(first[0]);
    expect(new RandomStreams(8).stream('p', 'e')()).not.toBe(first[0]);
    // a fixed value opens no stream and is returned as is
    expect(r.sample({ kind: 'fixed', value: 3 }, 'p', 'e')).toBe(3);
  });

  it('another seed gives other draws', () => {
    const s = twoVms(true);
    const a = run(s, 1).migrations.map((m) => m.endedAt);
    const b = run(s, 2).migrations.map((m) => m.endedAt);
    expect(b).not.toEqual(a);
  });
});

describe('observers', () => {
  const s = twoVms(true);

  it('see every event in order; results built incrementally equal those computed from the log', () => {
    const seen: LogEvent[] = [];
    const live = simulate(s, { observers: [{ record: (e) => seen.push(e) }] });
    expect(live.log).toBeNull();
    const stored = simulate(s, { keepLog: true });
    expect(seen).toEqual(stored.log!.events);
    expect(seen.at(-1)!.type).toBe('SimulationEnded');
    expect(live.results).toEqual(computeResults(seen, s.nodes.map((n) => n.name)));
  });

  it('results can be skipped when a replication needs only its own observer', () => {
    let n = 0;
    const r = simulate(s, { results: false, observers: [{ record: () => n++ }] });
    expect(r.results).toBeNull();
    expect(n).toBe(simulate(s, { keepLog: true }).log!.events.length);
  });
});

describe('event budget', () => {
  it('stops a run past maxEvents and names what the events after it were', () => {
    const s = twoVms(true);
    const total = simulate(s).eventsProcessed;
    expect(() => simulate(s, { maxEvents: total })).not.toThrow();
    let err: unknown;
    try {
      simulate(s, { maxEvents: 5 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EventBudgetExceeded);
    const e = err as EventBudgetExceeded;
    expect(e.maxEvents).toBe(5);
    expect([...e.labels.values()].reduce((a, b) => a + b, 0)).toBe(total - 5);
    expect(e.message).toMatch(/^the run exceeded 5 events at t=\d+\.\d{3} s; the events after that were: .+ \d+ %/);
  });
});
