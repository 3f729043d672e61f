// A forecast as text: the figures of the JSON document, as tables a planner reads.
import type { ForecastDocument } from '../forecast/aggregate.js';
import type { Quantiles } from '../forecast/quantiles.js';
import { seconds, table } from './format.js';

const percent = (p: number | null) => (p === null ? '-' : `${(p * 100).toFixed(p > 0 && p < 0.001 ? 2 : 1)}%`);

function qRow(label: string, q: Quantiles | null, show: (v: number) => string): string[] {
  return q === null ? [label, '-', '-', '-', '-', '-'] : [label, show(q.p50), show(q.p90), show(q.p95), show(q.p99), show(q.max)];
}

const HEAD = ['', 'p50', 'p90', 'p95', 'p99', 'max'];
const MAX_VMS = 20;

export function forecastText(doc: ForecastDocument): string {
  const out: string[] = [];
  const last = doc.seed + doc.runs - 1;
  out.push(`forecast: ${doc.scenario}, ${doc.runs} replications, seeds ${doc.seed}..${last}${doc.partial ? ` — PARTIAL: ${doc.completedRuns} of ${doc.runs} finished` : ''}`);
  for (const w of doc.warnings) out.push(`warning: ${w}`);
  out.push('');
  const num = (v: number) => String(v);
  out.push(
    table(HEAD, [
      qRow('makespan', doc.makespanSeconds, seconds),
      qRow('failed migrations', doc.failedMigrations, num),
      qRow('total VM downtime', doc.totalDowntimeSeconds, seconds),
      qRow('max VM downtime', doc.maxDowntimeSeconds, seconds),
      qRow('VMs shut down', doc.vmsShutDown, num),
      qRow('VMs lost', doc.vmsLost, num),
      qRow('VMs still down', doc.vmsStillDown, num),
    ]),
  );
  out.push('');
  if (doc.windowSeconds !== null) out.push(`P(every operation done within ${seconds(doc.windowSeconds)}): ${percent(doc.withinWindowProbability)}`);
  out.push(`P(some operation unfinished at the end of the run): ${percent(doc.incompleteProbability)}`);

  if (doc.operations.length > 0) {
    out.push('', 'operations (duration from their start)');
    out.push(table([...HEAD, 'unfinished'], doc.operations.map((o) => [...qRow(o.operation, o.durationSeconds, seconds), percent(o.unfinishedProbability)])));
  }
  if (doc.waves.length > 0) {
    out.push('', 'waves');
    out.push(table([...HEAD, 'unfinished', 'failed p95'], doc.waves.map((w) => [...qRow(w.name, w.makespanSeconds, seconds), percent(w.unfinishedProbability), String(w.failedMigrations?.p95 ?? '-')])));
  }
  if (doc.nodes.length > 0) {
    out.push('', 'node drains (drain time)');
    out.push(table([...HEAD, 'drained', 'not drained'], doc.nodes.map((n) => [...qRow(n.node, n.drainSeconds, seconds), percent(n.drainProbability), percent(n.notDrainedProbability)])));
  }
  const failing = doc.vms.filter((v) => v.failureProbability > 0).sort((a, b) => b.failureProbability - a.failureProbability);
  out.push('');
  if (failing.length === 0) out.push('no VM failed to migrate in any replication');
  else {
    out.push(`VMs that fail to migrate at least once (${failing.length}${failing.length > MAX_VMS ? `, top ${MAX_VMS}` : ''})`);
    out.push(
      table(
        ['vmi', 'P(fail)', 'reasons'],
        failing.slice(0, MAX_VMS).map((v) => [v.vmi, percent(v.failureProbability), Object.entries(v.reasons).map(([r, s]) => `${r} ${percent(s)}`).join(', ')]),
      ),
    );
  }
  out.push('', 'worst replications (replay one with migsim run --seed SEED)');
  out.push(table(['seed', 'makespan', ''], doc.worstRuns.map((r) => [String(r.seed), seconds(r.makespanSeconds), r.complete ? '' : 'unfinished'])));
  return out.join('\n') + '\n';
}
