// `migsim merge FILES… [--json]`: shard files of one forecast → the forecast one machine prints.
import { readFileSync } from 'node:fs';
import { asPartial, MergeError, mergePartials } from '../forecast/merge.js';
import { forecastText } from '../report/forecast.js';
import { toJson } from '../report/json.js';

export function mergeCommand(files: string[], opts: { json?: boolean }): string {
  const partials = files.map((name) => {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(name, 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MergeError(`${name}: ${code === 'ENOENT' ? 'no such file' : `cannot read it as JSON: ${(e as Error).message}`}`);
    }
    return { name, partial: asPartial(data, name) };
  });
  const doc = mergePartials(partials);
  return opts.json ? toJson(doc) + '\n' : forecastText(doc);
}
