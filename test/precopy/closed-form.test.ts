import { describe, expect, it } from 'vitest';
import { Gi, Mi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';

describe('pre-copy closed forms', () => {
  it('M=4Gi, B=64Mi/s, D=16Mi/s: rounds 64,16,4,1 s then 16 MiB in 0.25 s', () => {
    // V_i = 4096·(1/4)^i MiB; round 3 dirties 16 MiB ≤ 64·0.3 = 19.2 MiB → switch over.
    const s = scenario({
      nodes: [node('a', { nics: { pod: 64 * Mi } }), node('b', { nics: { pod: 64 * Mi } })],
      vms: [vm('db', 'a', { memory: 4 * Gi, dirty: { kind: 'constant', rate: 16 * Mi, workingSet: 4 * Gi } })],
      operations: [migrate('default/db')],
    });
    const r = run(s);
    const m = r.migrations[0]!;
    expect(m.phase).toBe('Succeeded');
    expect(m.iterations).toBe(4);
    expect(m.endedAt! - m.startedAt!).toBeCloseTo(85.25, 9);
    expect(m.downtimeSeconds).toBeCloseTo(0.25, 9);
    expect(m.transferredBytes / Mi).toBeCloseTo(5456, 6);
  });
});
