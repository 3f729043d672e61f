// Summarise a V8 .cpuprofile (from `node --cpu-prof`): the hottest functions by self time and by
// total (inclusive) time, with dist/ positions mapped back to src/*.ts through the source maps.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/upgrade.mjs
//   node bench/hotspots.mjs /tmp/prof/CPU.*.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/hotspots.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}
const topIdx = process.argv.indexOf('--top');
const TOP = topIdx >= 0 ? Number(process.argv[topIdx + 1]) : 25;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const profile = JSON.parse(readFileSync(file, 'utf8'));
const maps = new Map();

function sourceMapFor(url) {
  if (maps.has(url)) return maps.get(url);
  let sm = null;
  try {
    const p = fileURLToPath(url);
    sm = new SourceMap(JSON.parse(readFileSync(`${p}.map`, 'utf8')));
  } catch {
    sm = null;
  }
  maps.set(url, sm);
  return sm;
}

/** "src/x/y.ts:LINE functionName" for a call frame (lines 1-based). */
function where(cf) {
  const name = cf.functionName || '(anonymous)';
  if (!cf.url) return name;
  if (cf.url.startsWith('file://')) {
    const sm = cf.url.includes('/dist/') ? sourceMapFor(cf.url) : null;
    if (sm) {
      const e = sm.findEntry(cf.lineNumber, cf.columnNumber);
      if (e && e.originalSource) {
        const src = path.relative(root, e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : path.resolve(path.dirname(fileURLToPath(cf.url)), e.originalSource));
        return `${name}  ${src}:${e.originalLine + 1}`;
      }
    }
    return `${name}  ${path.relative(root, fileURLToPath(cf.url))}:${cf.lineNumber + 1}`;
  }
  return `${name}  ${cf.url}:${cf.lineNumber + 1}`;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n) => where(n.callFrame);

const self = new Map();
const total = new Map();
let sum = 0;
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = deltas[i + 1] ?? 0; // a sample's time is the gap to the next one
  sum += dt;
  let id = profile.samples[i];
  const leaf = key(byId.get(id));
  self.set(leaf, (self.get(leaf) ?? 0) + dt);
  const seen = new Set();
  while (id !== undefined) {
    const k = key(byId.get(id));
    if (!seen.has(k)) {
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
    id = parent.get(id);
  }
}

function table(title, m) {
  console.log(`\n${title} (of ${(sum / 1e6).toFixed(2)} s sampled)`);
  const rows = [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  for (const [k, us] of rows) {
    console.log(`  ${(us / 1e3).toFixed(0).padStart(8)} ms ${((100 * us) / sum).toFixed(1).padStart(5)} %  ${k}`);
  }
}
table('Self time', self);
table('Total time', total);
