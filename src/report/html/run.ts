// The report of one `migsim run`: what happened at a glance, what went wrong and what to change,
// the charts, the effective configuration, and how the report was made. Built from the result
// records and the run's time series only.
import type { Results } from '../../metrics/results.js';
import type { Operation, Scenario } from '../../scenario/types.js';
import type { Warning } from '../../scenario/warnings.js';
import type { CheckReport } from '../../plan/check.js';
import { humanBytes, humanDuration } from '../timeline.js';
import type { RunSeries } from '../series.js';
import { bandwidthChart, concurrencyChart, ganttChart, nodeTimelineChart, roundsChart } from './charts.js';
import { effectiveConfiguration } from './config.js';
import type { Block, Provenance, ReportDocument, Section } from './document.js';
import { explainRun, nominalDirtyRate, type Finding } from './explain.js';

export interface RunReportInput {
  scenario: Scenario;
  /** the scenario document as read from the file, before defaults: marks the defaults */
  raw: unknown;
  seed: number;
  results: Results;
  series: RunSeries;
  /** the load-time and run-time warnings, as `--json` prints them */
  warnings: readonly Warning[];
  /** `migsim check`'s findings; null: not run; absent: no section */
  check?: CheckReport | null;
  provenance: Provenance;
}

/** Most rows of one findings table; the CSV files have every row. */
export const MAX_TABLE_ROWS = 500;
/** Drained nodes listed one by one; past it, the slowest drains (nodes.csv has every node). */
export const MAX_NODE_ROWS = 60;

export function runReport(input: RunReportInput): ReportDocument {
  const { scenario, results, series } = input;
  const s = results.summary;
  const sections: Section[] = [];

  sections.push({ id: 'summary', title: 'Summary', blocks: summaryBlocks(input) });
  if (input.check) sections.push({ id: 'check', title: `Check findings (${input.check.findings.length})`, blocks: checkBlocks(input.check) });
  else if (input.check === null) {
    sections.push({ id: 'check', title: 'Check findings', blocks: [{ kind: 'text', paragraphs: [`Not run for a scenario of ${scenario.vms.length} VMs, where migsim check takes minutes: run \`migsim check\` on the scenario file for its findings.`] }] });
  }
  if (input.warnings.length > 0) sections.push({ id: 'warnings', title: `Warnings (${input.warnings.length})`, blocks: warningBlocks(input.warnings) });
  sections.push({ id: 'attention', title: 'What went wrong and what to change', blocks: findingBlocks(input) });

  const gantt = ganttChart(results, series);
  const bigGantt = gantt.marks > 2000;
  if (gantt.marks > 0) {
    sections.push({ id: 'migrations', title: 'Migrations per node', blocks: [{ kind: 'chart', id: 'chart-gantt', spec: gantt.spec, caption: gantt.caption, renderer: bigGantt ? 'canvas' : 'svg' }] });
  }
  if (s.migrations > 0) {
    const m = scenario.kubevirt.migrations;
    const c = concurrencyChart(series, { cluster: m.parallelMigrationsPerCluster, perNode: m.parallelOutboundMigrationsPerNode });
    sections.push({ id: 'concurrency', title: 'Concurrent migrations against the limits', blocks: [{ kind: 'chart', id: 'chart-concurrency', spec: c.spec, caption: c.caption }] });
  }
  const bw = bandwidthChart(series);
  if (bw) sections.push({ id: 'bandwidth', title: 'Bandwidth per NIC', blocks: [{ kind: 'chart', id: 'chart-bandwidth', spec: bw.spec, caption: bw.caption }] });
  const rounds = roundsChart(results, series);
  if (rounds) sections.push({ id: 'rounds', title: 'Pre-copy rounds against the switch-over threshold', blocks: [{ kind: 'chart', id: 'chart-rounds', spec: rounds.spec, caption: rounds.caption }] });
  const nodes = nodeTimelineChart(series);
  if (nodes) sections.push({ id: 'nodes', title: 'Drain and upgrade timeline', blocks: [{ kind: 'chart', id: 'chart-nodes', spec: nodes.spec, caption: nodes.caption }, ...nodeTable(results)] });

  sections.push({ id: 'configuration', title: 'Effective configuration', blocks: configBlocks(input) });

  const title = `migsim run: ${scenario.name}`;
  const verdict =
    s.failed + s.lostVms + s.vmsShutDown + s.unfinished === 0
      ? `${s.succeeded} of ${s.migrations} migrations succeeded, no VM stopped`
      : `${s.succeeded} of ${s.migrations} migrations succeeded, ${s.failed} failed, ${s.vmsShutDown} VMs shut down, ${s.lostVms} lost`;
  return { title, subtitle: `${verdict}; makespan ${humanDuration(s.makespanSeconds)}.`, provenance: input.provenance, sections };
}

function summaryBlocks(input: RunReportInput): Block[] {
  const { scenario, results } = input;
  const s = results.summary;
  const blocks: Block[] = [];
  const downtimes = results.migrations.filter((m) => m.phase === 'Succeeded').map((m) => m.downtimeSeconds);
  blocks.push({
    kind: 'table',
    header: ['', ''],
    rows: [
      ['cluster', `${scenario.nodes.length} nodes, ${scenario.vms.length} VMs, KubeVirt v${scenario.kubevirt.version.major}.${scenario.kubevirt.version.minor} (${scenario.profile} profile)`],
      ['operations', scenario.operations.map(describeOperation).join('; ') || 'none'],
      ['migrations', `${s.migrations} (${s.succeeded} succeeded, ${s.failed} failed${s.rejected ? `, ${s.rejected} rejected at admission` : ''}${s.unfinished ? `, ${s.unfinished} unfinished` : ''})`],
      ['makespan', `${humanDuration(s.makespanSeconds)} (first migration created → last one ended)`],
      ['bytes sent', humanBytes(results.migrations.reduce((a, m) => a + m.transferredBytes, 0))],
      ['switch-over downtime', downtimes.length ? `max ${humanDuration(downtimes.reduce((a, b) => Math.max(a, b), 0))}, mean ${humanDuration(downtimes.reduce((a, b) => a + b, 0) / downtimes.length)}` : '-'],
      ['stalled by outages', String(s.stalled)],
      ['VMs shut down / lost', `${s.vmsShutDown} / ${s.lostVms}`],
      ['VMs not running at the end', String(s.vmsNotRunning)],
      ['largest VM downtime', humanDuration(s.maxDowntimeSeconds)],
      ['simulated', `${humanDuration(s.endTime)}${s.horizonReached ? ' (the horizon was reached: work was still going on)' : ''}`],
    ],
  });
  for (const w of results.waves) {
    blocks.push({
      kind: 'text',
      paragraphs: [
        `Wave ${w.name}: ${w.completedAt !== null ? `completed in ${humanDuration(w.makespanSeconds ?? 0)}` : 'did not complete'}, ${w.migrations} migrations (${w.failedMigrations} failed), at most ${w.maxMigrationsPerVm} migrations of one VM.` +
          (w.blockedNodes.length ? ` Blocked: ${w.blockedNodes.map((b) => `${b.node} (${b.reason})`).join('; ')}.` : ''),
      ],
    });
  }
  return blocks;
}

export function checkBlocks(c: CheckReport): Block[] {
  if (c.findings.length === 0) return [{ kind: 'text', paragraphs: [`migsim check found nothing that blocks (${c.summary.nodesChecked} nodes, ${c.summary.vmsChecked} VMs checked).`] }];
  const list = (xs: readonly string[]): string => (xs.length <= 5 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more`);
  return [
    {
      kind: 'table',
      caption: `What migsim check finds before running: ${c.summary.blocking} blocking, ${c.summary.warnings} warnings, ${c.summary.info} notes`,
      header: ['severity', 'code', 'finding', 'VMs / nodes', 'what to change'],
      rows: c.findings.slice(0, MAX_TABLE_ROWS).map((f) => [f.severity, f.code, f.message, [list(f.vms), list(f.nodes)].filter((x) => x).join('; '), f.remedy ?? '']),
    },
  ];
}

function warningBlocks(warnings: readonly Warning[]): Block[] {
  const list = (xs: readonly string[] | undefined): string => (!xs || xs.length === 0 ? '' : xs.length <= 5 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more`);
  return [
    {
      kind: 'table',
      caption: 'What the scenario asks for that the run did not do, or did against the likely intent (the same warnings as --json)',
      header: ['code', 'field', 'warning', 'VMs / nodes'],
      rows: warnings.slice(0, MAX_TABLE_ROWS).map((w) => [w.code, w.field ?? '', w.message, [list(w.vms), list(w.nodes)].filter((x) => x).join('; ')]),
    },
  ];
}

export function describeOperation(op: Operation): string {
  const at = `at ${humanDuration(op.at)}`;
  switch (op.kind) {
    case 'migrate':
      return `migrate ${op.vmi} ${at}`;
    case 'cancel':
      return `cancel ${op.migration} ${at}`;
    case 'drain':
      return `drain ${op.nodes.kind === 'names' ? op.nodes.names.join(', ') : JSON.stringify(op.nodes.matchLabels)} ${at}`;
    case 'upgrade':
      return `upgrade ${op.name} ${at} (maxUnavailable ${op.maxUnavailable}, ${op.style})`;
    case 'outage':
      return `outage ${at} for ${humanDuration(op.duration)}`;
  }
}

function findingTable(caption: string, findings: Finding[]): Block[] {
  if (findings.length === 0) return [];
  const shown = findings.slice(0, MAX_TABLE_ROWS);
  return [
    {
      kind: 'table',
      caption: `${caption} (${findings.length}${shown.length < findings.length ? `, the first ${shown.length} shown; the CSV files have all` : ''})`,
      header: ['VM', 'what', 'why', 'what to change'],
      rows: shown.map((f) => [f.subject, f.what, f.explanation, f.remedy]),
    },
  ];
}

function findingBlocks(input: RunReportInput): Block[] {
  const h = input.scenario.hypervisor;
  const dirtyRates = new Map<string, number>();
  for (const vm of input.scenario.vms) {
    const r = nominalDirtyRate(vm.dirty);
    if (r !== null) dirtyRates.set(vm.key, r);
  }
  const e = explainRun(input.results, input.series, { keepaliveSeconds: h.keepalive.interval * h.keepalive.count, dirtyRates });
  const blocks = [
    ...findingTable('Failed migrations', e.failedMigrations),
    ...findingTable(
      'Migrations unfinished when the run ended',
      input.results.migrations
        .filter((m) => m.phase !== 'Succeeded' && m.phase !== 'Failed')
        .map((m) => ({
          subject: `${m.vmi} (${m.name})`,
          what: `${m.phase}, ${humanBytes(m.transferredBytes)} sent in ${m.iterations} rounds`,
          explanation: m.unfinishedReason ?? 'still in progress at the end of the run',
          remedy: 'Lengthen spec.horizon to see how it ends; if it is stalled or cannot converge, see the rounds chart below.',
        })),
    ),
    ...findingTable('VMs shut down', e.shutDown),
    ...findingTable('VMs lost', e.lost),
    ...findingTable('VMs still down at the end', e.stillDown),
  ];
  if (blocks.length === 0) return [{ kind: 'text', paragraphs: ['Nothing: every migration succeeded and no VM was shut down or lost.'] }];
  return blocks;
}

function nodeTable(results: Results): Block[] {
  const all = results.nodes.filter((n) => n.drainStartedAt !== null);
  if (all.length === 0) return [];
  const took = (n: (typeof all)[number]): number => (n.drainCompletedAt ?? Infinity) - n.drainStartedAt!;
  const drained = all.length <= MAX_NODE_ROWS ? all : [...all].sort((a, b) => took(b) - took(a) || a.name.localeCompare(b.name, 'en', { numeric: true })).slice(0, MAX_NODE_ROWS / 2);
  return [
    {
      kind: 'table',
      caption: `Drained nodes (${all.length}${drained.length < all.length ? `; the ${drained.length} slowest drains shown, nodes.csv has every node` : ''})`,
      header: ['node', 'drain started', 'drain took', 'upgraded at', 'migrations out', 'VMs shut down', 'blocked'],
      numeric: [1, 2, 3, 4, 5],
      rows: drained.map((n) => [
        n.name,
        humanDuration(n.drainStartedAt!),
        n.drainCompletedAt !== null ? humanDuration(n.drainCompletedAt - n.drainStartedAt!) : 'did not finish',
        n.upgradeCompletedAt !== null ? humanDuration(n.upgradeCompletedAt) : '-',
        String(n.migrationsOut),
        String(n.vmsShutDown),
        n.blockedReason ?? '',
      ]),
    },
  ];
}

function configBlocks(input: RunReportInput): Block[] {
  const rows = effectiveConfiguration(input.scenario, input.raw);
  return [
    { kind: 'text', paragraphs: [`Seed ${input.seed}. “default” marks a setting absent from the scenario file: the value KubeVirt v${input.scenario.kubevirt.version.major}.${input.scenario.kubevirt.version.minor} (or migsim, for the hypervisor and control-plane model) uses when it is unset.`] },
    { kind: 'table', header: ['setting', 'value', 'source'], rows: rows.map((r) => [r.path, r.value, r.isDefault ? 'default' : 'scenario']) },
  ];
}
