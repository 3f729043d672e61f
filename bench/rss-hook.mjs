// Preloaded into a CLI child (`node --import bench/rss-hook.mjs dist/cli/main.js …`): at exit,
// writes the process's peak RSS and CPU time to the file named by MIGSIM_BENCH_STATS, so the
// bench measures the whole CLI process without a platform tool such as /usr/bin/time.
import { writeFileSync } from 'node:fs';

const out = process.env.MIGSIM_BENCH_STATS;
if (out) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000 }));
  });
}
