// Runs every bench case, each in its own Node process (so one case's heap and JIT state do not
// colour the next, and case 2's peak RSS is its own). Prints figures; asserts nothing.
//
//   npm run bench            (builds dist/ first)
//   node bench/run.mjs       (uses the dist/ already built)
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cpus = os.cpus();
console.log(`migsim bench — Node ${process.version}, ${os.platform()} ${os.arch()}, os.cpus().length = ${cpus.length} (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`);

let failed = false;
for (const file of ['precopy.mjs', 'upgrade.mjs']) {
  console.log('');
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`  (${file} exited with ${r.status ?? r.signal})`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
