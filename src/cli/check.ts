// `migsim check <scenario> [--json] [--set PATH=VALUE]…`: findings that would block a drain or a wave. Exit 3 when any
// finding blocks, so it can gate a change in CI.
import { check, type CheckReport, type Finding } from '../plan/check.js';
import { toJson } from '../report/json.js';
import { loadScenarioFile } from '../scenario/load.js';

export interface CheckOptions {
  json?: boolean;
  /** `PATH=VALUE` overrides, as on run */
  set?: string[];
}

export const EXIT_BLOCKING = 3;

export function checkCommand(file: string, opts: CheckOptions): { output: string; exitCode: number } {
  const report = check(loadScenarioFile(file, { overrides: opts.set ?? [] }));
  const exitCode = report.summary.blocking > 0 ? EXIT_BLOCKING : 0;
  return { output: opts.json ? toJson(report) + '\n' : checkText(report), exitCode };
}

const LABEL: Record<Finding['severity'], string> = { block: 'BLOCK', warning: 'WARN ', info: 'INFO ' };

export function checkText(r: CheckReport): string {
  const s = r.summary;
  const lines = [
    `migsim check: ${r.scenario}: ${s.blocking} blocking, ${s.warnings} warning(s), ${s.info} note(s) (${s.nodesChecked} node(s) drained, ${s.vmsChecked} VM(s))`,
  ];
  if (r.findings.length === 0) lines.push('', 'Nothing blocks a drain or a wave.');
  for (const f of r.findings) {
    lines.push('', `${LABEL[f.severity]} ${f.code}${f.nodes.length ? `  nodes: ${list(f.nodes)}` : ''}${f.vms.length ? `  VMs: ${list(f.vms)}` : ''}`);
    lines.push(`      ${f.message}`);
    if (f.remedy) lines.push(`      remedy: ${f.remedy}`);
  }
  lines.push('', s.blocking > 0 ? `exit ${EXIT_BLOCKING}: something would block a drain or a wave.` : 'exit 0: nothing blocks.');
  return lines.join('\n') + '\n';
}

function list(xs: string[]): string {
  return xs.length <= 6 ? xs.join(', ') : `${xs.slice(0, 6).join(', ')} and ${xs.length - 6} more`;
}
