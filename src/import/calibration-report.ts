// The `migsim calibrate` text report: reads the CalibrationReport only.
import { bytes, seconds, table } from '../report/format.js';
import type { CalibrationReport } from './calibrate.js';

const pct = (e: number | null): string => (e === null ? '-' : `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`);
const abs = (e: number | null): string => (e === null ? '-' : `${(e * 100).toFixed(1)}%`);
const gbit = (bps: number): string => `${((bps * 8) / 1e9).toFixed(2)} Gbit/s`;

export function calibrationText(r: CalibrationReport): string {
  const out: string[] = [];
  out.push(`calibration: ${r.summary.replayed} past migrations replayed, ${r.skipped.length} skipped`);
  out.push('');
  if (r.migrations.length > 0) {
    out.push(
      table(
        ['MIGRATION', 'VMI', 'SOURCE -> TARGET', 'OBSERVED', 'PREDICTED', 'DURATION OBS', 'DURATION PRED', 'ERROR', 'BYTES OBS', 'BYTES PRED', 'FITTED BW'],
        r.migrations.map((m) => [
          m.name,
          m.vmi,
          `${m.sourceNode} -> ${m.targetNode}`,
          m.observed.outcome,
          m.predicted.outcome,
          seconds(m.observed.durationSeconds),
          seconds(m.predicted.durationSeconds),
          pct(m.durationError),
          m.observed.bytes === null ? '-' : bytes(m.observed.bytes),
          bytes(m.predicted.bytes),
          m.fittedBandwidth === null ? '-' : gbit(m.fittedBandwidth),
        ]),
      ),
    );
    out.push('');
  }
  const s = r.summary;
  out.push(`duration error |predicted - observed| / observed: median ${abs(s.medianAbsDurationError)}, p90 ${abs(s.p90AbsDurationError)} (migrations that succeeded in both; observed to ±1 s)`);
  if (s.medianAbsBytesError !== null) out.push(`bytes error: median ${abs(s.medianAbsBytesError)}, p90 ${abs(s.p90AbsBytesError)}`);
  out.push(`outcome: ${s.outcomesAgreeing} of ${s.replayed} agree`);
  const wrong = r.migrations.filter((m) => m.wrong);
  if (wrong.length > 0) {
    out.push('');
    out.push(`got wrong (${wrong.length}):`);
    for (const m of wrong) out.push(`  ${m.name} (${m.vmi}): ${m.likelyCause ?? ''}`);
  }
  const fitted = Object.entries(r.fittedBandwidth);
  if (fitted.length > 0) {
    out.push('');
    out.push('fitted effective bandwidth per source node (median):');
    for (const [node, f] of fitted) out.push(`  ${node}: ${gbit(f.bytesPerSecond)} (${f.migrations} migration${f.migrations === 1 ? '' : 's'})`);
  }
  if (r.controlPlane.length > 0) {
    out.push('');
    out.push('control-plane latencies from the VMIMs\' phase transitions (whole seconds):');
    for (const l of r.controlPlane) out.push(`  ${l.field}: median ${seconds(l.median)}, p90 ${seconds(l.p90)} (${l.samples} migration${l.samples === 1 ? '' : 's'})`);
  }
  if (r.skipped.length > 0) {
    out.push('');
    out.push('skipped:');
    for (const k of r.skipped) out.push(`  ${k.name}: ${k.why}`);
  }
  return out.join('\n') + '\n';
}
