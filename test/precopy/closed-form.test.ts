import { describe, expect, it } from 'vitest';
import { Gi, Mi, migrate, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';

describe('pre-copy closed forms', () => {
  it('M=4Gi, B=64Mi/s, D=16Mi/s: 4 passes, then 16.03 MiB in 0.2506 s', () => {
    // Pass i covers G_i = 4096·q^i guest MiB, q = (16/64)·k with k = 4104/4096 (8-byte page
    // headers): it sends k·G_i MiB in k·G_i/64 s. Round 3 dirties G_4 = 16.03 MiB ≤ 64·0.3 =
    // 19.2 MiB → switch over (G_3 = 64.38 > 19.2). T = (k·4096/64)·(1 − q^5)/(1 − q) = 85.4713 s,
    // downtime k·G_4/64 = 0.2510 s, bytes k·4096·(1 − q^5)/(1 − q) MiB.
    const s = scenario({
      nodes: [node('a', { nics: { pod: 64 * Mi } }), node('b', { nics: { pod: 64 * Mi } })],
      vms: [vm('db', 'a', { memory: 4 * Gi, dirty: { kind: 'constant', rate: 16 * Mi, workingSet: 4 * Gi } })],
      operations: [migrate('default/db')],
    });
    const r = run(s);
    const m = r.migrations[0]!;
    expect(m.phase).toBe('Succeeded');
    const k = 513 / 512;
    const q = 0.25 * k;
    const series = (1 - q ** 5) / (1 - q);
    expect(m.iterations).toBe(4);
    expect(m.endedAt! - m.startedAt!).toBeCloseTo(((k * 4096) / 64) * series, 9);
    expect(m.endedAt! - m.startedAt!).toBeCloseTo(85.4713, 4);
    expect(m.downtimeSeconds).toBeCloseTo((k * 4096 * q ** 4) / 64, 9);
    expect(Math.abs(m.transferredBytes - k * 4096 * Mi * series)).toBeLessThanOrEqual(1);
  });
});
