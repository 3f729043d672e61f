// The terminal timeline of one run (`migsim run --timeline`): one row per source node, each
// migration a bar on a shared time axis (d3-scale's linear scale, nice ticks). Queue time
// (created → started) and copy time (started → ended) are drawn differently, and a failed
// copy differs from a successful one with or without colour. Pure: the CLI decides on colour.
import { scaleLinear } from 'd3-scale';
import type { MigrationRecord, Results } from '../metrics/results.js';

export interface TimelineOptions {
  /** total width in characters (the terminal's columns) */
  width: number;
  /** ANSI colours: only when stdout is a TTY and NO_COLOR is unset (the CLI decides) */
  color: boolean;
}

// Cell kinds, in drawing priority: a later kind in a cell is not drawn over an earlier one.
// 0: nothing in the cell
const QUEUE = 1;
const COPY = 2;
const UNFINISHED = 3;
const FAILED = 4;

const GLYPH = ['·', '░', '█', '▒', '✗'] as const;
const ANSI = ['\x1b[2m', '\x1b[2;36m', '\x1b[32m', '\x1b[33m', '\x1b[1;31m'] as const;
const RESET = '\x1b[0m';

/** `36ms`, `42s`, `4.2s`, `1m 25s`, `2h 05m`: seconds as people read them. */
export function humanDuration(s: number): string {
  if (s === 0) return '0s';
  if (s < 1) return s >= 0.01 ? `${Math.round(s * 1000)}ms` : `${trim((s * 1000).toFixed(1))}ms`;
  if (s < 10) return `${trim(s.toFixed(1))}s`;
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) {
    const total = Math.round(s);
    const m = Math.floor(total / 60);
    const sec = total % 60;
    return sec === 0 ? `${m}m` : `${m}m ${sec}s`;
  }
  const total = Math.round(s / 60);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return m === 0 ? `${h}h` : `${h}h ${String(m).padStart(2, '0')}m`;
}

/** `5.3 GiB`, `812 MiB`, `40 B`: binary units, three significant digits at most. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 10 ? Math.round(v) : trim(v.toFixed(1))} ${units[i]}`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export function terminalTimeline(results: Results, opts: TimelineOptions): string {
  const migs = results.migrations.filter((m) => m.sourceNode !== null && m.priority !== null);
  if (migs.length === 0) return 'timeline: no migrations\n';
  // reduce, not Math.max(...xs): a spread of a million arguments overflows the stack
  const end = migs.reduce((a, m) => Math.max(a, m.endedAt ?? 0), results.summary.endTime);
  const nodes = [...new Set(migs.map((m) => m.sourceNode!))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const stats = new Map(nodes.map((n) => [n, { count: 0, bytes: 0 }]));
  for (const m of migs) {
    const s = stats.get(m.sourceNode!)!;
    s.count++;
    s.bytes += m.transferredBytes;
  }
  const statText = new Map(nodes.map((n) => [n, `${stats.get(n)!.count} × ${humanBytes(stats.get(n)!.bytes)}`]));
  const labelWidth = Math.min(24, Math.max(4, ...nodes.map((n) => n.length)));
  const statWidth = Math.max(...[...statText.values()].map((t) => t.length));
  const barWidth = Math.max(20, opts.width - labelWidth - statWidth - 4);

  // The axis counts in the unit people read the span in (seconds, minutes or hours), so that
  // nice() and ticks() land on round minutes rather than on round numbers of seconds; nice()
  // widens the domain to a round end, so the last tick closes the axis.
  const unit = end >= 7200 ? 3600 : end >= 120 ? 60 : 1;
  const scale = scaleLinear().domain([0, end > 0 ? end / unit : 1]).range([0, barWidth]).nice();
  const x = (t: number): number => scale(t / unit);
  const col = (t: number): number => Math.min(barWidth - 1, Math.max(0, Math.floor(x(t))));

  const paint = (row: Uint8Array, from: number, to: number, kind: number): void => {
    const a = col(from);
    const b = Math.max(a, Math.ceil(x(to)) - 1);
    for (let i = a; i <= Math.min(b, barWidth - 1); i++) if (row[i]! < kind) row[i] = kind;
  };

  const rows = new Map(nodes.map((n) => [n, new Uint8Array(barWidth)]));
  for (const m of migs) {
    const row = rows.get(m.sourceNode!)!;
    const stop = m.endedAt ?? end;
    paint(row, m.createdAt, m.startedAt ?? stop, QUEUE);
    if (m.startedAt !== null) paint(row, m.startedAt, stop, copyKind(m));
  }

  const draw = (kind: number, text: string): string => (opts.color ? `${ANSI[kind]}${text}${RESET}` : text);
  const out: string[] = [];
  out.push(`timeline: ${migs.length} migrations on ${nodes.length} source nodes, 0 → ${humanDuration(scale.domain()[1]! * unit)}`);
  for (const n of nodes) {
    const row = rows.get(n)!;
    let line = '';
    // runs of one kind share one colour sequence
    for (let i = 0; i < barWidth; ) {
      let j = i;
      while (j < barWidth && row[j] === row[i]) j++;
      line += draw(row[i]!, GLYPH[row[i]! as 0].repeat(j - i));
      i = j;
    }
    const label = n.length > labelWidth ? n.slice(0, labelWidth - 1) + '…' : n.padEnd(labelWidth);
    out.push(`${label} ${line} ${statText.get(n)!.padStart(statWidth)}`);
  }
  out.push(axis(scale, unit, labelWidth, barWidth));
  out.push(
    `${' '.repeat(labelWidth)} ${draw(QUEUE, GLYPH[QUEUE])} queued  ${draw(COPY, GLYPH[COPY])} copying (succeeded)  ` +
      `${draw(FAILED, GLYPH[FAILED])} failed  ${draw(UNFINISHED, GLYPH[UNFINISHED])} unfinished   per node: migrations × bytes sent`,
  );
  return out.join('\n') + '\n';
}

function copyKind(m: MigrationRecord): number {
  if (m.phase === 'Failed') return FAILED;
  if (m.phase === 'Succeeded') return COPY;
  return UNFINISHED;
}

/** `└────┬────┬` with the tick labels under it, dropping a label that would touch its neighbour. */
function axis(x: ReturnType<typeof scaleLinear<number, number>>, unit: number, labelWidth: number, barWidth: number): string {
  const ticks = x.ticks(Math.max(2, Math.floor(barWidth / 14)));
  const line = Array.from({ length: barWidth }, () => '─');
  let labels = ' '.repeat(barWidth + 8);
  let free = 0;
  for (const t of ticks) {
    const c = Math.min(barWidth - 1, Math.round(x(t)));
    line[c] = '┬';
    const text = humanDuration(t * unit);
    const at = Math.max(0, Math.min(c - Math.floor(text.length / 2), barWidth + 8 - text.length));
    if (at < free) continue;
    labels = labels.slice(0, at) + text + labels.slice(at + text.length);
    free = at + text.length + 1;
  }
  return `${' '.repeat(labelWidth)} ${line.join('')}\n${' '.repeat(labelWidth + 1)}${labels.trimEnd()}`;
}
