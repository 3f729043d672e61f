import { describe, expect, it } from 'vitest';
import {
  defaultMigrationConfiguration,
  resolveMigrationConfiguration,
  type KubeVirtVersion,
} from '../../src/scenario/defaults.js';
import { virtLauncherBandwidth } from '../../src/scenario/schema.js';
import { MiB } from '../../src/scenario/units.js';

const v = (major: number, minor: number): KubeVirtVersion => ({ major, minor });

describe('defaultMigrationConfiguration by KubeVirt version (the history of KubeVirt pkg/virt-config/virt-config.go)', () => {
  it.each([
    // version   completionTimeoutPerGiB  bandwidthPerMigration
    // 64Mi until v0.43, unlimited from v0.44.0 (commit ba569ec0bb)
    [v(0, 20), 800, 64 * MiB],
    [v(0, 43), 800, 64 * MiB],
    [v(0, 44), 800, 0],
    // 800 until v1.3, 150 from v1.4.0 (commit 5080d817f1)
    [v(1, 3), 800, 0],
    [v(1, 4), 150, 0],
    [v(1, 9), 150, 0],
    [v(2, 0), 150, 0],
  ])('%j: completionTimeoutPerGiB %d, bandwidthPerMigration %d', (version, completion, bandwidth) => {
    const c = defaultMigrationConfiguration(version);
    expect(c.completionTimeoutPerGiB).toBe(completion);
    expect(c.bandwidthPerMigration).toBe(bandwidth);
  });

  it('has the unchanging defaults of every version', () => {
    for (const version of [v(0, 20), v(1, 4), v(1, 9)]) {
      expect(defaultMigrationConfiguration(version)).toMatchObject({
        parallelMigrationsPerCluster: 5,
        parallelOutboundMigrationsPerNode: 2,
        progressTimeout: 150,
        allowAutoConverge: false,
        allowPostCopy: false,
        allowWorkloadDisruption: false,
        unsafeMigrationOverride: false,
        disableTLS: false,
        network: null,
        nodeDrainTaintKey: 'kubevirt.io/drain',
        maxDowntimeMs: 900,
        utilityVolumesTimeout: 150,
        matchSELinuxLevelOnMigration: null,
      });
    }
  });
});

describe('allowWorkloadDisruption (added in v1.5)', () => {
  it.each([
    // version  allowPostCopy  allowWorkloadDisruption → resolved, warned
    [v(1, 9), undefined, undefined, false, false],
    [v(1, 9), true, undefined, true, false], // unset copies allowPostCopy
    [v(1, 9), true, false, false, false],
    [v(1, 9), false, true, true, false], // pause the guest instead of post-copy
    [v(1, 9), true, null, true, false], // null = unset
    [v(1, 5), true, undefined, true, false],
    [v(1, 4), true, undefined, false, false], // did not exist: never pauses, post-copy still allowed
    [v(1, 4), false, true, false, true], // accepted with a warning, forced false
  ])('%j allowPostCopy=%s allowWorkloadDisruption=%s → %s', (version, allowPostCopy, awd, expected, warned) => {
    const given = { ...(allowPostCopy !== undefined && { allowPostCopy }), ...(awd !== undefined && { allowWorkloadDisruption: awd }) };
    const { config, warnings } = resolveMigrationConfiguration(version, given);
    expect(config.allowWorkloadDisruption).toBe(expected);
    expect(config.allowPostCopy).toBe(allowPostCopy ?? false);
    expect(warnings.length > 0).toBe(warned);
  });

  it('says why the field is ignored before v1.5', () => {
    const { warnings } = resolveMigrationConfiguration(v(1, 4), { allowWorkloadDisruption: true });
    expect(warnings).toEqual([
      {
        path: ['allowWorkloadDisruption'],
        message: 'field does not exist before KubeVirt v1.5 (scenario uses v1.4): ignored, treated as false',
      },
    ]);
  });

  it('keeps what the file sets and fills the rest', () => {
    const { config, warnings } = resolveMigrationConfiguration(v(1, 3), { parallelMigrationsPerCluster: 10, network: 'migration-net', experimental: {} });
    expect(config.parallelMigrationsPerCluster).toBe(10);
    expect(config.network).toBe('migration-net');
    expect(config.completionTimeoutPerGiB).toBe(800);
    expect(warnings.map((w) => w.path)).toEqual([['experimental']]);
  });
});

describe('bandwidthPerMigration as virt-launcher converts it (QuantityToMebiByte)', () => {
  it.each([
    [0, 0], // unlimited
    [1, MiB], // below 1 MiB → 1 MiB
    [0.5 * MiB, MiB],
    [MiB, MiB],
    [1.4 * MiB, MiB], // nearest whole MiB
    [1.5 * MiB, 2 * MiB],
    [64 * MiB, 64 * MiB],
    [100e6, 95 * MiB], // "100M" = 95.37 MiB → 95 MiB
  ])('%d bytes/s → %d bytes/s', (input, expected) => {
    expect(virtLauncherBandwidth(input)).toBe(expected);
  });
});
