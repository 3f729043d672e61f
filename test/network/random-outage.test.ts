// Random outages: a Poisson process per entry, drawn from its own named stream.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import type { EventLog } from '../../src/log/events.js';
import { simulate, type SimulationResult } from '../../src/sim/simulation.js';
import { eventsOf } from '../helpers/log.js';

const doc = (seed: number, extra = '') => `
apiVersion: migsim/v1alpha1
kind: Scenario
metadata: {name: random-outages}
spec:
  seed: ${seed}
  horizon: 10h
  controlPlane: {targetPodStartup: ${extra || '5s'}}
  nodes: [{name: n, count: 2, network: 1Gbit}]
  vms: [{name: v, node: n-0, memory: 32Gi, dirtyRate: 10Mi}]
  operations: [{at: 1m, migrate: {vmi: default/v}}]
  faults:
    randomOutages: [{ratePerHour: 30, duration: {distribution: uniform, min: 2s, max: 20s}, scope: network}]
`;

function outages(text: string) {
  const r = simulate(parseScenario(text, "random.yaml"), { keepLog: true }) as SimulationResult & { log: EventLog };
  return { starts: eventsOf(r.log.events, 'OutageStarted').map((e) => [e.t, e.duration]), r };
}

describe('random outages', () => {
  it('the same seed gives the same outages every run, another seed others', () => {
    const a = outages(doc(3)).starts;
    expect(a.length).toBeGreaterThan(0);
    expect(outages(doc(3)).starts).toEqual(a);
    expect(outages(doc(4)).starts).not.toEqual(a);
  });

  it('draws from its own stream: a random latency elsewhere does not move them', () => {
    const fixed = outages(doc(3)).starts;
    const random = outages(doc(3, '{distribution: uniform, min: 3s, max: 8s}')).starts;
    expect(random).toEqual(fixed);
  });

  it('are background events: the run ends with the last migration, not at the horizon', () => {
    const { r } = outages(doc(3));
    expect(r.horizonReached).toBe(false);
    // 32 GiB at 1 Gbit/s is about 275 s of copying, plus the stalls
    expect(r.endTime).toBeLessThan(1000);
    expect(eventsOf(r.log.events, 'MigrationSucceeded')).toHaveLength(1);
    // every outage drawn lies inside the horizon and lasts 2-20 s
    for (const e of eventsOf(r.log.events, 'OutageStarted')) {
      expect(e.duration).toBeGreaterThanOrEqual(2);
      expect(e.duration).toBeLessThanOrEqual(20);
    }
  });
});
