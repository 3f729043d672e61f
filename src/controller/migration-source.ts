// The source side of a running migration: virt-handler's migration source
// (pkg/virt-handler/migration-source.go) asks its virt-launcher to migrate the domain with the
// configuration virt-controller froze at hand-off; the launcher starts the migration monitor
// (pkg/virt-launcher/virtwrap/live-migration-source.go) and libvirt's job, and reports back
// through the VMI's migrationState (here: `done`). Events of the job go to the log from here.
import { acceptableCompletionTime, blockMigrationDiskBytes, migrationDataSize, migrationMethod } from '../cluster/migratability.js';
import { dirtyModel } from '../precopy/dirty.js';
import { MigrationJob, type JobEvent, type JobResult } from '../precopy/job.js';
import { kubevirtBehaviour } from '../scenario/versions.js';
import type { Context } from './context.js';
import { MigrationMonitor, type MonitorAction } from './monitor.js';
import type { Vmim } from './vmim.js';

/** What the source handler reports into the VMI's migrationState for virt-controller. */
export interface MigrationOutcome {
  succeeded(m: Vmim, result: JobResult): void;
  failed(m: Vmim, reason: string, message: string, result: JobResult | null, vmLost: boolean): void;
}

export class MigrationSource {
  constructor(
    private readonly ctx: Context,
    private readonly done: MigrationOutcome,
  ) {}

  /** TargetReady → Running: MigrateToURI3 with the frozen configuration, the monitor started first. */
  start(m: Vmim): void {
    const { sim, log, scenario, fabric, topology } = this.ctx;
    const vm = m.vmi.spec;
    const cfg = m.config!;
    const method = migrationMethod(vm);
    const acceptable = acceptableCompletionTime(cfg.completionTimeoutPerGiB, migrationDataSize(vm, method));
    log.record({
      t: sim.now,
      type: 'MigrationStarted',
      migration: m.name,
      sourceNode: m.sourceNode,
      targetNode: m.targetNode!,
      policy: m.policy?.name ?? null,
      method,
      acceptableCompletionTime: acceptable,
      bandwidthPerMigration: cfg.bandwidthPerMigration,
    });
    const hv = scenario.hypervisor;
    const job = new MigrationJob(
      sim,
      fabric,
      {
        id: m.name,
        memoryBytes: vm.usedMemory,
        guestBytes: vm.guestMemory ?? vm.memory,
        pageSize: hv.pageSize,
        switchover: hv.switchover,
        diskBytes: method === 'BlockMigration' ? blockMigrationDiskBytes(vm) : 0,
        dirty: dirtyModel(vm.dirty),
        throttleSensitivity: vm.throttleSensitivity,
        downtimeLimit: hv.downtimeLimit,
        switchoverCost: hv.switchoverCost,
        bandwidthCap: cfg.bandwidthPerMigration > 0 ? cfg.bandwidthPerMigration : Infinity,
        autoConverge: cfg.allowAutoConverge
          ? {
              initialPct: hv.throttle.initial * 100,
              incrementPct: hv.throttle.increment * 100,
              maxPct: hv.throttle.max * 100,
              triggerThreshold: hv.throttle.triggerThreshold,
              syncInterval: 5,
            }
          : null,
        keepaliveTimeout: hv.keepalive.interval * (hv.keepalive.count + 1),
        links: topology.links(m.sourceNode, m.targetNode!),
      },
      (ev) => this.onJobEvent(m, ev),
    );
    m.job = job;
    m.monitor = new MigrationMonitor(
      sim,
      job,
      {
        acceptableCompletionTime: acceptable,
        progressTimeout: cfg.progressTimeout,
        allowWorkloadDisruption: cfg.allowWorkloadDisruption,
        allowPostCopy: cfg.allowPostCopy,
        hasVfio: vm.gpus.length > 0 || vm.hostDevices > 0,
        behaviour: kubevirtBehaviour(scenario.kubevirt),
      },
      (a) => this.onMonitorAction(m, a),
    );
    m.monitor.begin();
    job.start();
    if (!topology.reachable({ from: m.sourceNode, to: m.targetNode!, network: topology.migrationNetwork })) {
      job.setReachable(false);
    }
  }

  /** Outages changed: tell every running job whether its path is reachable. */
  connectivityChanged(running: Iterable<Vmim>): void {
    const { topology } = this.ctx;
    this.ctx.fabric.batch(() => {
      for (const m of running) {
        if (m.job && m.job.active) {
          m.job.setReachable(topology.reachable({ from: m.sourceNode, to: m.targetNode!, network: topology.migrationNetwork }));
        }
      }
    });
  }

  /** abortRequested: the handler calls the launcher's cancel, which runs AbortJob (not in post-copy). */
  abort(m: Vmim, message: string): void {
    if (m.job && m.job.active && m.job.mode !== 'PostCopy') m.job.abort('AbortRequested', message);
  }

  private onMonitorAction(m: Vmim, a: MonitorAction): void {
    const { sim, log } = this.ctx;
    if (a.type === 'GuestPaused') {
      log.record({ t: sim.now, type: 'GuestPaused', migration: m.name, acceptableCompletionTime: a.newAcceptableCompletionTime });
    } else if (a.type === 'DowntimeRaised') {
      log.record({ t: sim.now, type: 'DowntimeRaised', migration: m.name, downtimeLimit: a.downtimeLimit });
    }
    // PostCopySwitch and Abort are logged from the job's own events.
  }

  private onJobEvent(m: Vmim, ev: JobEvent): void {
    const { sim, log } = this.ctx;
    const t = sim.now;
    switch (ev.type) {
      case 'Iteration':
        log.record({ t, type: 'Iteration', migration: m.name, iteration: ev.iteration, bytes: ev.bytes, duration: ev.duration, dirtied: ev.dirtied, rate: ev.rate, threshold: ev.threshold });
        break;
      case 'Throttle':
        log.record({ t, type: 'Throttle', migration: m.name, percent: ev.percent });
        break;
      case 'StopAndCopy':
        m.monitor?.stop();
        log.record({ t, type: 'StopAndCopy', migration: m.name, bytes: ev.bytes });
        break;
      case 'PostCopyStarted':
        log.record({ t, type: 'PostCopyStarted', migration: m.name, bytes: ev.bytes });
        break;
      case 'Stalled':
        m.monitor?.stalled();
        log.record({ t, type: 'Stalled', migration: m.name });
        break;
      case 'Resumed':
        m.monitor?.resumed();
        log.record({ t, type: 'Resumed', migration: m.name, stalledSeconds: ev.stalledSeconds });
        break;
      case 'Completed':
        this.done.succeeded(m, ev.result);
        break;
      case 'Failed':
        this.done.failed(m, ev.reason, ev.message, ev.result, ev.vmLost);
        break;
      default:
        break;
    }
  }
}
