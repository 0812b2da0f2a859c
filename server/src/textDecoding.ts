/**
 * Bytes to text for linting: UTF-8, with bad bytes replaced and reported, never an exception. A
 * byte-order mark is kept as U+FEFF (missing-shebang reports it: sbatch refuses a script whose
 * first bytes are not #!).
 */
import { open } from 'node:fs/promises';
import type { SavedEncoding } from './analysis/script';
import type { Diagnostic } from './engine';

export function decodeText(bytes: Uint8Array): { text: string; problem?: Diagnostic; savedEncoding?: SavedEncoding } {
  // UTF-16 (a Windows editor's "Unicode"): read as the text it is, and said once (missing-shebang),
  // not taken for a binary file for the NUL byte in every other byte
  const mark = encodingMarkOf(bytes);
  if (mark === 'UTF-16 LE' || mark === 'UTF-16 BE') return { text: new TextDecoder(mark === 'UTF-16 LE' ? 'utf-16le' : 'utf-16be').decode(bytes), savedEncoding: mark };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
    const bad = Math.min(firstInvalidUtf8(bytes), Math.max(0, bytes.length - 1));
    let line = 0;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const character = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(lineStart, bad)).length;
    const position = { line, character };
    return {
      text,
      problem: {
        code: 'invalid-encoding',
        severity: 'warning',
        message: `The file is not valid UTF-8 (first bad byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at byte ${bad}); bad bytes were read as U+FFFD. Save it as UTF-8.`,
        start: 0,
        end: 0,
        range: { start: position, end: { line, character: character + 1 } },
      },
    };
  }
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    const c1 = b[i + 1]!;
    // overlong forms, UTF-16 surrogates, and code points past U+10FFFF
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return i;
    i += n + 1;
  }
  return b.length;
}

/** How long the server waits for a file's first bytes (a hung network mount must not hold a lint). */
const ENCODING_READ_MS = 1000;

/** The encoding a file's first bytes (its byte-order mark) name, when it is one sbatch refuses. */
export function encodingMarkOf(bytes: Uint8Array): SavedEncoding | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'UTF-8 with BOM';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 BE';
  return undefined;
}

/**
 * The encoding mark of the file on disk: for an editor that decodes it and sends the text without
 * (VS Code: "UTF-8 with BOM", "UTF-16 LE"). Undefined when there is none, or unreadable, or slow.
 */
export async function savedEncodingOf(path: string): Promise<SavedEncoding | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const read = (async () => {
    const file = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(3), 0, 3, 0);
      return encodingMarkOf(buffer.subarray(0, bytesRead));
    } finally {
      await file.close();
    }
  })();
  const late = new Promise<undefined>((done) => (timer = setTimeout(() => done(undefined), ENCODING_READ_MS)));
  try {
    return await Promise.race([read.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
