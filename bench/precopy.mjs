// Case 1: pre-copy engine throughput.
// 10,000 independent migrations in ONE Simulator + Fabric, each on its own pair of links, against a
// bare EventHeap loop doing the same number of pushes and pops. The ratio of the two rates says how
// much the engine (timers, closures, fabric re-allocation, the job's fluid bookkeeping) costs on top
// of the priority queue itself.
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { EventHeap } from '../dist/engine/heap.js';
import { Simulator } from '../dist/engine/simulator.js';
import { Fabric } from '../dist/network/fabric.js';
import { dirtyModel } from '../dist/precopy/dirty.js';
import { MigrationJob } from '../dist/precopy/job.js';
import { Gi, int, median, ms, now, rate, repeat, rows } from './util.mjs';

const MIGRATIONS = 10_000;
const SEED = 'migsim-bench-precopy';
const BANDWIDTH = 10e9 / 8; // 10 Gbit/s in bytes/s
const RUNS = 5;

const AUTO_CONVERGE = { initialPct: 20, incrementPct: 10, maxPct: 99, triggerThreshold: 0.5, syncInterval: 5 };

/** The workload, drawn once from a fixed seed (outside the timed region). */
function workload(n) {
  const rng = seedrandom(SEED);
  const out = [];
  for (let i = 0; i < n; i++) {
    const memory = Math.round((2 + 62 * rng()) * Gi); // 2–64 GiB
    const lambda = 0.9 * rng(); // dirty rate / link bandwidth, in [0, 0.9)
    const workingSet = memory * (0.1 + 0.9 * rng()); // 10–100 % of RAM is written to
    out.push({
      memory,
      dirty: { kind: 'constant', rate: lambda * BANDWIDTH, workingSet },
      autoConverge: rng() < 0.3, // 30 % with auto-converge
      start: 3600 * rng(), // start instants spread over an hour
    });
  }
  return out;
}

function runEngine(work) {
  const t0 = now();
  const sim = new Simulator();
  const fabric = new Fabric();
  let rounds = 0;
  let completed = 0;
  let failed = 0;
  const emit = (ev) => {
    if (ev.type === 'Iteration') rounds++;
    else if (ev.type === 'Completed') completed++;
    else if (ev.type === 'Failed') failed++;
  };
  for (let i = 0; i < work.length; i++) {
    const w = work[i];
    const job = new MigrationJob(
      sim,
      fabric,
      {
        id: `m${i}`,
        memoryBytes: w.memory,
        // every page non-zero (no zero-page shortcut), x86 pages, the switch-over test at the
        // end of each pass (the analytic round model)
        guestBytes: w.memory,
        pageSize: 4096,
        switchover: 'rounds',
        diskBytes: 0,
        dirty: dirtyModel(w.dirty),
        throttleSensitivity: 1,
        downtimeLimit: 0.3,
        switchoverCost: 0.2,
        bandwidthCap: Infinity,
        autoConverge: w.autoConverge ? AUTO_CONVERGE : null,
        keepaliveTimeout: 30,
        links: [fabric.link(`s${i}/tx`, BANDWIDTH), fabric.link(`t${i}/rx`, BANDWIDTH)],
      },
      emit,
    );
    sim.at(w.start, () => job.start(), 'start');
  }
  const t1 = now();
  sim.run();
  const t2 = now();
  return {
    ms: t2 - t0,
    setupMs: t1 - t0,
    events: sim.eventsProcessed,
    // Simulator.seq is private in TS but a plain property at run time: timers scheduled, cancelled ones included.
    scheduled: typeof sim.seq === 'number' ? sim.seq : NaN,
    rounds,
    completed,
    failed,
    simTime: sim.now,
  };
}

/**
 * A bare heap under a hold model: pre-fill `prefill` entries, then pop one / push one until `n`
 * pushes are done, then drain. Exactly n pushes and n pops of {time, seq} entries.
 */
function runHeap(n, prefill, steps) {
  const t0 = now();
  const heap = new EventHeap();
  let seq = 0;
  let clock = 0;
  const k = Math.min(prefill, n);
  for (let i = 0; i < k; i++) heap.push({ time: steps[i] * k, seq: seq++ });
  let pops = 0;
  for (let i = k; i < n; i++) {
    const e = heap.pop();
    pops++;
    clock = e.time;
    heap.push({ time: clock + steps[i] * k, seq: seq++ });
  }
  while (heap.size > 0) {
    clock = heap.pop().time;
    pops++;
  }
  const t1 = now();
  if (pops !== n || seq !== n) throw new Error('heap loop miscounted');
  return { ms: t1 - t0, clock };
}

export function benchPrecopy() {
  const work = workload(MIGRATIONS);
  const engineRuns = repeat(() => runEngine(work), RUNS);
  const e = engineRuns[0];
  for (const r of engineRuns) {
    if (r.events !== e.events || r.rounds !== e.rounds) throw new Error('engine runs are not deterministic');
  }
  const n = e.events;
  // Exponential inter-event gaps (mean 1 per queued entry), drawn outside the timed loop.
  const rng = seedrandom(`${SEED}/heap`);
  const steps = new Float64Array(n);
  for (let i = 0; i < n; i++) steps[i] = -Math.log(1 - rng());
  const heapRuns = repeat(() => runHeap(n, MIGRATIONS, steps), RUNS);

  const engineMs = median(engineRuns.map((r) => r.ms));
  const setupMs = median(engineRuns.map((r) => r.setupMs));
  const heapMs = median(heapRuns.map((r) => r.ms));
  const eventsPerSec = n / (engineMs / 1000);
  const heapPopsPerSec = n / (heapMs / 1000);

  console.log(`Case 1: pre-copy engine throughput (${int(MIGRATIONS)} migrations, one Simulator + Fabric, median of ${RUNS} after 1 warm-up)`);
  rows([
    ['migrations completed / failed', `${int(e.completed)} / ${int(e.failed)}`],
    ['total rounds (Iteration events)', int(e.rounds)],
    ['events processed', int(n)],
    ['timers scheduled (incl. cancelled)', Number.isNaN(e.scheduled) ? 'n/a' : int(e.scheduled)],
    ['simulated time', `${(e.simTime / 3600).toFixed(2)} h`],
    ['engine wall time', `${ms(engineMs)}  (setup ${ms(setupMs)}, runs: ${engineRuns.map((r) => r.ms.toFixed(0)).join(' ')})`],
    ['migrations / s', rate(MIGRATIONS / (engineMs / 1000))],
    ['engine events / s', rate(eventsPerSec)],
    ['bare heap: pushes + pops', `${int(n)} + ${int(n)}  (hold model, ${int(Math.min(MIGRATIONS, n))} queued)`],
    ['bare heap wall time', `${ms(heapMs)}  (runs: ${heapRuns.map((r) => r.ms.toFixed(0)).join(' ')})`],
    ['bare heap ops / s (push+pop)', rate((2 * n) / (heapMs / 1000))],
    ['bare heap pops / s', rate(heapPopsPerSec)],
    ['ratio engine events/s ÷ heap pops/s', `${(eventsPerSec / heapPopsPerSec).toFixed(3)}  (engine costs ${(heapPopsPerSec / eventsPerSec).toFixed(1)}× a bare push+pop per event)`],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) benchPrecopy();
