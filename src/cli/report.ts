// The file side of reports: reads the vega bundles to inline, the raw scenario document (to mark
// defaults) and migsim's version, and writes the HTML and CSV files. The reports themselves are
// pure (src/report).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readScenarioFile } from '../scenario/load.js';
import { applyAll } from '../scenario/override.js';
import type { VegaAssets } from '../report/html/document.js';
import type { CsvFile } from '../report/csv.js';

/** A report or CSV file that cannot be written: a user error (exit 2), not a crash. */
export class OutputError extends Error {}

const require = createRequire(import.meta.url);

/** The package's root directory: its entry resolved, then up to its package.json. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here: keep going up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${name} package`);
    dir = up;
  }
}

function bundle(name: string): { text: string; version: string } {
  const dir = packageDir(name);
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { text: readFileSync(join(dir, 'build', `${name}.min.js`), 'utf8'), version };
}

/** vega, vega-lite and vega-embed's browser bundles from node_modules, to inline in the HTML. */
export function vegaAssets(): VegaAssets {
  const vega = bundle('vega');
  const vegaLite = bundle('vega-lite');
  const vegaEmbed = bundle('vega-embed');
  return {
    vega: vega.text,
    vegaLite: vegaLite.text,
    vegaEmbed: vegaEmbed.text,
    versions: `vega ${vega.version}, vega-lite ${vegaLite.version}, vega-embed ${vegaEmbed.version}`,
  };
}

/** migsim's own version, from its package.json. */
export function migsimVersion(): string {
  const here = dirname(new URL(import.meta.url).pathname);
  for (const p of [join(here, '..', '..', 'package.json'), join(here, '..', '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'migsim' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

/**
 * The scenario document as written (before defaults), with the `--set` overrides applied as the
 * loader applies them, or null when it cannot be read again.
 */
export function rawScenario(file: string, overrides: readonly string[] = []): unknown {
  try {
    const raw = readScenarioFile(file).raw;
    return overrides.length > 0 ? applyAll(raw, overrides).doc : raw;
  } catch {
    return null;
  }
}

/** A command line as a shell would take it back: words with special characters single-quoted. */
export function commandLine(args: readonly string[]): string {
  return ['migsim', ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}

export function writeReport(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (e) {
    throw new OutputError(`cannot write the report ${path}: ${(e as Error).message}`);
  }
}

export function writeCsvFiles(dir: string, files: readonly CsvFile[]): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f.name), f.content);
  } catch (e) {
    throw new OutputError(`cannot write the CSV files to ${dir}: ${(e as Error).message}`);
  }
}
