/** Bytes to text for linting: UTF-8, with bad bytes replaced and reported, never an exception. */
import type { Diagnostic } from './engine';

export function decodeText(bytes: Uint8Array): { text: string; problem?: Diagnostic } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const bad = Math.min(firstInvalidUtf8(bytes), Math.max(0, bytes.length - 1));
    let line = 0;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const character = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, bad)).length;
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
