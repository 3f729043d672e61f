// Screenshot of a report with Debian's headless chromium (playwright-core, no downloaded
// browser, every non-file request aborted). Usage, from the repository root:
//   node reports/sample/screenshot.mjs reports/sample/upgrade-network-blip.html reports/sample/upgrade-network-blip.png
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [html, png] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'migsim-chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await context.newPage();
await page.route('**/*', (r) => (/^(file|data):/.test(r.request().url()) ? r.continue() : r.abort()));
await page.goto(`file://${resolve(html)}`);
await page.waitForFunction(() => window.migsimCharts?.done === true);
await page.screenshot({ path: png, fullPage: true });
await context.close();
