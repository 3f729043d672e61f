// Finds where a field path lies in the YAML source, for `file:line:col` in messages. A path that
// does not exist (a missing required field) points at its nearest existing ancestor; a block
// mapping or list points at its key.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { PathSegment } from './errors.js';

export interface Position {
  line: number;
  column: number;
}

function start(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

export function locate(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[], atKey = false): Position | undefined {
  let node: unknown = doc.contents;
  let offset = start(node);
  let keyOffset: number | undefined;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (atKey && i === path.length - 1) {
        offset = start(pair.key) ?? offset;
        break;
      }
      node = pair.value;
      keyOffset = start(pair.key);
      offset = start(pair.value) ?? keyOffset ?? offset;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      keyOffset = undefined;
      offset = start(node) ?? offset;
    } else {
      break;
    }
  }
  // A block mapping or list under a key starts on the next line: point at its key instead.
  if ((isMap(node) || isSeq(node)) && !node.flow && keyOffset !== undefined) offset = keyOffset;
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
