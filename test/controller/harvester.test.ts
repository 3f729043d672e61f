// Harvester's upgrade: admission, taint-only pre-drain, restore. Harvester's code:
// pkg/webhook/resources/upgrade/validator.go (checkNonLiveMigratableVMs),
// package/upgrade/upgrade_node.sh (command_pre_drain, wait_vms_out_or_shutdown),
// pkg/controller/master/upgrade/job_controller.go (sendRestoreVMJob).
import { describe, expect, it } from 'vitest';
import type { Operation, Scenario, VolumeSpec } from '../../src/scenario/types.js';
import { Gi, node, scenario, vm } from '../helpers/scenario.js';
import { run } from '../helpers/run.js';
import { eventsOf } from '../helpers/log.js';

/** 1 GiB of guest memory crosses in exactly 1 s with QEMU's 8-byte page headers (4104/4096 = 513/512) */
const nic = { nics: { pod: (1 * Gi * 513) / 512 } };
const live = { evictionStrategy: 'LiveMigrate' as const };
const cdrom: VolumeSpec = { name: 'iso', type: 'containerDisk', accessModes: [], shared: false, attachment: 'cdrom', readOnly: true, size: 1 * Gi };
const rwo: VolumeSpec = { name: 'root', type: 'persistentVolumeClaim', accessModes: ['ReadWriteOnce'], shared: false, attachment: 'disk', readOnly: false, size: 10 * Gi };
/** 1 GiB dirtying 2 GiB/s over all of it on a 1 GiB/s link: never converges, aborted at 301.2 s. */
const hot = { memory: 1 * Gi, dirty: { kind: 'constant' as const, rate: 2 * Gi, workingSet: 1 * Gi }, ...live };

const wave = (names: string[]): Operation => ({
  kind: 'upgrade',
  at: 0,
  name: 'h',
  nodes: { kind: 'names', names },
  maxUnavailable: 1,
  order: 'listed',
  duration: { kind: 'fixed', value: 600 },
  style: 'harvester',
});

function harvester(s: Scenario, version: { major: number; minor: number }, restoreVM: boolean): Scenario {
  s.profile = 'harvester';
  s.harvester = { version, restoreVM };
  return s;
}

describe('admission: the upgrade webhook', () => {
  // "iso" has a container-disk CD-ROM: Harvester's detector lists it up to v1.7 (not from v1.8).
  it.each([
    { name: 'v1.7, restoreVM false: refused', hv: { major: 1, minor: 7 }, restoreVM: false, refused: true },
    { name: 'v1.5, restoreVM true: refused anyway (before v1.6)', hv: { major: 1, minor: 5 }, restoreVM: true, refused: true },
    { name: 'v1.7, restoreVM true: admitted', hv: { major: 1, minor: 7 }, restoreVM: true, refused: false },
    { name: 'v1.8, restoreVM false: the CD-ROM is no longer listed, admitted', hv: { major: 1, minor: 8 }, restoreVM: false, refused: false },
  ])('$name', ({ hv, restoreVM, refused }) => {
    const s = harvester(
      scenario({ nodes: ['n0', 'n1'].map((n) => node(n, nic)), vms: [vm('iso', 'n0', { memory: 1 * Gi, volumes: [cdrom], ...live }), vm('web', 'n1', { memory: 1 * Gi, ...live })], operations: [wave(['n0', 'n1'])] }),
      hv,
      restoreVM,
    );
    const r = run(s);
    const w = r.waves[0]!;
    if (refused) {
      expect(w.refused!.vmis).toEqual([{ vmi: 'default/iso', reason: 'CDROMOrContainerDisk' }]);
      expect(w.refused!.message).toContain('default/iso');
      expect(w.completedAt).toBeNull();
      // nothing was drained, nothing moved
      expect(eventsOf(r.sim.log.events, 'DrainStarted')).toEqual([]);
      expect(r.migrations).toEqual([]);
    } else {
      expect(w.refused).toBeNull();
      // n0 then n1 drained and upgraded: 600 s each plus the moves
      expect(w.completedAt).not.toBeNull();
    }
  });
});

describe('pre-drain: detector, taint, wait without deadline', () => {
  it('a None VM and a VM KubeVirt cannot migrate stay: the drain never finishes, nothing is shut down', () => {
    // Harvester v1.8, restoreVM false, nothing listed by the detector (so admitted). On n0:
    // web (LiveMigrate) migrates to n1 in 1 s; batch (eviction strategy None) and db (LiveMigrate,
    // RWO PVC: DisksNotLiveMigratable) are left by the taint path, and nobody evicts them.
    const s = harvester(
      scenario({
        nodes: ['n0', 'n1'].map((n) => node(n, nic)),
        vms: [
          vm('web', 'n0', { memory: 1 * Gi, ...live }),
          vm('batch', 'n0', { memory: 1 * Gi, evictionStrategy: 'None' }),
          vm('db', 'n0', { memory: 1 * Gi, volumes: [rwo], ...live }),
        ],
        operations: [wave(['n0', 'n1'])],
        over: { horizon: 3600 },
      }),
      { major: 1, minor: 8 },
      false,
    );
    const r = run(s);
    const n0 = r.nodes.find((n) => n.name === 'n0')!;
    expect(n0.drainCompletedAt).toBeNull();
    expect(n0.vmsShutDown).toBe(0);
    expect(n0.blockedVms).toEqual([
      { vmi: 'default/batch', reason: "VMI default/batch stays: eviction strategy None, and Harvester's pre-drain evicts nothing" },
      { vmi: 'default/db', reason: "VMI default/db stays: KubeVirt cannot live-migrate it (DisksNotLiveMigratable) and Harvester's detector did not list it" },
    ]);
    expect(r.waves[0]!.blockedNodes.map((b) => b.node)).toEqual(['n0']);
    const byVm = Object.fromEntries(r.vms.map((v) => [v.vmi, v]));
    expect(byVm['default/web']!.finalNode).toBe('n1');
    expect(byVm['default/batch']).toMatchObject({ finalNode: 'n0', downtimeSeconds: 0, stillDownAtEnd: false });
    expect(eventsOf(r.sim.log.events, 'NodeUpgradeStarted')).toEqual([]);
  });

  it('a plain kubectl drain of the same node migrates the CD-ROM VM Harvester v1.7 would stop', () => {
    // KubeVirt's LiveMigratable, not the detector: a read-only container-disk CD-ROM is a
    // LiveMigration (CD-ROMs are not copied): 1 GiB at 1 GiB/s → moved at 1 s.
    const s = harvester(
      scenario({ nodes: ['n0', 'n1'].map((n) => node(n, nic)), vms: [vm('iso', 'n0', { memory: 1 * Gi, volumes: [cdrom], ...live })], operations: [{ kind: 'drain', at: 0, nodes: { kind: 'names', names: ['n0'] } }] }),
      { major: 1, minor: 7 },
      false,
    );
    const r = run(s);
    expect(r.migrations.map((m) => [m.phase, m.endedAt])).toEqual([['Succeeded', 1]]);
    expect(r.vms[0]!).toMatchObject({ finalNode: 'n1', migratable: true, downtimeSeconds: 0 });
  });
});

describe('restore: only the detector’s VMs, only with restoreVM', () => {
  // Harvester v1.7. On n0: iso (listed by the detector: stopped at 0) and hot (its evacuation
  // fails at 301.2 → `virtctl stop`). n0 is empty at 301.2: drained (cleanup 0), upgraded
  // 301.2 + 600 = 901.2; then n1 (empty) is drained at 901.2 and upgraded at 1501.2, the end of
  // the run. With restoreVM true the restore job starts iso after n0's post-drain: 901.2 + 60 s
  // boot = 961.2 (downtime 961.2). hot is never started again: down from 301.2 to the end, 1200 s.
  // With restoreVM false the wave is refused (iso is listed): see the admission table.
  it('restoreVM true: iso comes back at 961.2, hot stays down to the end', () => {
    const s = harvester(
      scenario({ nodes: ['n0', 'n1'].map((n) => node(n, nic)), vms: [vm('iso', 'n0', { memory: 1 * Gi, volumes: [cdrom], ...live }), vm('hot', 'n0', hot)], operations: [wave(['n0', 'n1'])] }),
      { major: 1, minor: 7 },
      true,
    );
    const r = run(s);
    expect(eventsOf(r.sim.log.events, 'VmiShutDown').map((e) => [e.t, e.vmi])).toEqual([
      [0, 'default/iso'],
      [expect.closeTo(301.2, 9), 'default/hot'],
    ]);
    expect(r.migrations.map((m) => m.reason)).toEqual(['CompletionTimeout']);
    expect(r.nodes.map((n) => n.drainCompletedAt)).toEqual([expect.closeTo(301.2, 9), expect.closeTo(901.2, 9)]);
    expect(r.waves[0]!.completedAt).toBeCloseTo(1501.2, 9);
    const byVm = Object.fromEntries(r.vms.map((v) => [v.vmi, v]));
    expect(byVm['default/iso']).toMatchObject({ finalNode: 'n0', stillDownAtEnd: false });
    expect(byVm['default/iso']!.downtimeSeconds).toBeCloseTo(961.2, 9);
    expect(byVm['default/hot']).toMatchObject({ finalNode: null, stillDownAtEnd: true });
    expect(byVm['default/hot']!.notRunningReason).toMatch(/^shut down on n0 at 301\.2s: Harvester pre-drain: virtctl stop after evacuation migration kubevirt-evacuation-\w+ failed \(CompletionTimeout\)$/);
    expect(byVm['default/iso']!.notRunningReason).toBeNull(); // restored: running at the end
    expect(byVm['default/hot']!.downtimeSeconds).toBeCloseTo(1200, 9);
  });

  it('restoreVM false on v1.8 (nothing listed): the virtctl-stopped VM is never restarted either', () => {
    // hot alone on n0: stopped at 301.2, n0 upgraded 901.2, n1 1501.2; hot down 1200 s at the end.
    const s = harvester(
      scenario({ nodes: ['n0', 'n1'].map((n) => node(n, nic)), vms: [vm('hot', 'n0', hot)], operations: [wave(['n0', 'n1'])] }),
      { major: 1, minor: 8 },
      false,
    );
    const r = run(s);
    expect(r.vms[0]!).toMatchObject({ finalNode: null, stillDownAtEnd: true, shutDowns: 1 });
    expect(r.vms[0]!.downtimeSeconds).toBeCloseTo(1200, 9);
    expect(eventsOf(r.sim.log.events, 'VmiStarted')).toEqual([]);
  });
});
