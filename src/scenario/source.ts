// The bytes of a scenario file, before any YAML or JSON: files that are not a scenario at all
// (too big, binary, UTF-16) get one clear line instead of hundreds of syntax errors; and a
// linear scan of JSON text for what JSON.parse lets through silently (a duplicate key keeps the
// last value, as encoding/json does, where YAML — and a Kubernetes API server — reject it).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { PathSegment } from './errors.js';
import { MAX_FILE_BYTES } from './limits.js';

/** A problem of the file as a whole: no path, at most a position. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

const TOO_BIG = (what: string) => `the file is ${what}; a scenario file may be at most ${mib(MAX_FILE_BYTES)} (use count for identical nodes and VMs)`;

/**
 * Reads a file, refusing one above the size limit before reading it; a pipe (`/dev/stdin`), whose
 * size is not known, is read up to the limit.
 */
export function readSource(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > MAX_FILE_BYTES) throw new SourceError(TOO_BIG(mib(stat.size)));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(stat.isFile() ? Math.max(stat.size - total, 1) : 1 << 16);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_FILE_BYTES) throw new SourceError(TOO_BIG(`more than ${mib(MAX_FILE_BYTES)}`));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

const NOT_TEXT = 'expected a YAML or JSON scenario (UTF-8 text)';

/** UTF-8 text of a file (a UTF-8 byte-order mark is dropped), or a SourceError saying what it is instead. */
export function decodeSource(bytes: Uint8Array): string {
  if (bytes.length > MAX_FILE_BYTES) throw new SourceError(`the text is ${mib(bytes.length)}; a scenario may be at most ${mib(MAX_FILE_BYTES)}`);
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const mark = bytes[0] === 0xff ? 'FF FE' : 'FE FF';
    throw new SourceError(`the file is UTF-16 encoded (byte-order mark ${mark}); save it as UTF-8`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // ASCII text in UTF-16 without a byte-order mark: every other byte is NUL
    if (looksUtf16(bytes)) throw new SourceError('the file looks UTF-16 encoded (every other byte is NUL); save it as UTF-8');
    throw new SourceError(`not a text file (a NUL byte at offset ${nul}); ${NOT_TEXT}`, nul);
  }
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    throw new SourceError(`not a text file (byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')} at offset ${at} is not UTF-8); ${NOT_TEXT}`, at);
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString('utf8');
}

function looksUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  return n >= 2 && Math.max(even, odd) >= 0.4 * (n / 2) && Math.min(even, odd) === 0;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > b.length) return i;
    for (let k = 1; k < len; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return i;
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export interface DuplicateKey {
  path: PathSegment[];
  /** offset of the second occurrence of the key */
  offset: number;
}

interface Frame {
  /** keys seen so far (objects), null for arrays */
  keys: Set<string> | null;
  /** the key or index of the value being read */
  at: PathSegment;
}

export interface JsonScan {
  /** duplicate keys, in text order (at most `limit`) */
  duplicates: DuplicateKey[];
  /** the first mapping or list nested deeper than `maxDepth`: its path and offset */
  tooDeep?: DuplicateKey;
}

/**
 * Duplicate keys of a text that JSON.parse accepted (so the grammar is not checked here), with
 * their paths, in text order, and the first value nested too deep. One pass, no recursion.
 */
export function scanJson(text: string, maxDepth: number, limit = 20): JsonScan {
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
        i++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(start + 1, i);
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : raw;
        if (top.keys.has(key)) {
          out.push({ path: [...pathOf(stack), key], offset: start });
          if (out.length >= limit) return { duplicates: out };
        } else top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      // a container at path length p sits at stack depth p + 1
      if (stack.length >= maxDepth) return { duplicates: out, tooDeep: { path: pathOf([...stack, { keys: null, at: 0 }]), offset: i } };
      stack.push(c === 0x7b ? { keys: new Set(), at: '' } : { keys: null, at: 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return { duplicates: out };
}

/** The path of the value being read: the key or index of each enclosing container. */
function pathOf(stack: readonly Frame[]): PathSegment[] {
  return stack.slice(0, -1).map((f) => f.at);
}

export interface JsonLocateRequest {
  path: readonly PathSegment[];
  /** the key of the last segment, not its value */
  atKey?: boolean;
}

/**
 * Offsets of field paths in a JSON text that JSON.parse accepted, in one pass, for `file:line:col`
 * without parsing the text again as YAML: a value's first character, a key's opening quote
 * (`atKey`), or, for a path that does not exist, its nearest existing ancestor's value (a missing
 * field points at the mapping that lacks it).
 */
export function jsonOffsets(text: string, requests: readonly JsonLocateRequest[]): (number | undefined)[] {
  const keyOf = (segs: readonly PathSegment[]) => JSON.stringify(segs);
  // every prefix of every requested path → the requests it leads to
  const byPrefix = new Map<string, number[]>();
  requests.forEach((r, i) => {
    for (let d = 0; d <= r.path.length; d++) {
      const k = keyOf(r.path.slice(0, d));
      const list = byPrefix.get(k);
      if (list) list.push(i);
      else byPrefix.set(k, [i]);
    }
  });
  const found: (number | undefined)[] = requests.map(() => undefined);
  const depth: number[] = requests.map(() => -1);

  interface Frame {
    keys: boolean;
    at: PathSegment;
    /** the path of this container is a prefix of some request */
    wanted: boolean;
  }
  const stack: Frame[] = [];
  const path: PathSegment[] = [];
  let expectKey = false;
  let valueNext = true; // the root value
  const n = text.length;

  const valueAt = (offset: number, parentWanted: boolean): boolean => {
    if (!parentWanted) return false;
    const hits = byPrefix.get(keyOf(path));
    if (!hits) return false;
    for (const i of hits) {
      const r = requests[i]!;
      // atKey: the position of a mapping's last key is the key's, recorded when the key is read
      if (r.atKey && path.length === r.path.length && typeof path[path.length - 1] === 'string') continue;
      if (path.length > depth[i]!) {
        depth[i] = path.length;
        found[i] = offset;
      }
    }
    return true;
  };

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    const top = stack[stack.length - 1];
    const parentWanted = top === undefined ? true : top.wanted;
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
        i++;
      }
      if (expectKey && top?.keys) {
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        top.at = key;
        path[path.length - 1] = key;
        expectKey = false;
        if (top.wanted) {
          const hits = byPrefix.get(keyOf(path));
          for (const j of hits ?? []) {
            const r = requests[j]!;
            if (r.atKey && r.path.length === path.length) {
              depth[j] = path.length;
              found[j] = start;
            }
          }
        }
      } else if (valueNext) {
        valueAt(start, parentWanted);
        valueNext = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const wanted = valueNext ? valueAt(i, parentWanted) : false;
      valueNext = false;
      stack.push({ keys: c === 0x7b, at: c === 0x7b ? '' : 0, wanted });
      path.push(c === 0x7b ? '' : 0);
      if (c === 0x7b) expectKey = true;
      else valueNext = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      path.pop();
      expectKey = false;
      valueNext = false;
    } else if (c === 0x3a /* : */) {
      valueNext = true;
    } else if (c === 0x2c /* , */) {
      if (top?.keys) expectKey = true;
      else if (top) {
        top.at = (top.at as number) + 1;
        path[path.length - 1] = top.at;
        valueNext = true;
      }
    } else if (valueNext) {
      // a number, true, false or null
      valueAt(i, parentWanted);
      valueNext = false;
    }
  }
  return found;
}
