/**
 * Slurm reads `#SBATCH` directives only from the script's leading block of comments and blank
 * lines; the first other line ends it (sbatch(1), "SCRIPT"). These helpers look at that block.
 */

/**
 * How many leading lines are looked at to tell whether a shell script is a batch script (the
 * extension's language detection and the language server's linting of `shellscript` documents
 * agree on it): a header longer than this is not seen. The linter itself reads the whole header.
 */
export const HEADER_WINDOW_LINES = 200;

/** The lines of the leading comment/blank block, with their 0-based line numbers. */
export function* headerLines(text: string, maxLines = HEADER_WINDOW_LINES): Generator<{ line: number; text: string }> {
  let start = 0;
  for (let line = 0; line < maxLines && start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let lineText = text.slice(start, end);
    if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
    const trimmed = lineText.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return;
    yield { line, text: lineText };
    if (end === text.length) return;
    start = end + 1;
  }
}

/** sbatch compares the first seven characters of a line with `#SBATCH` (strncmp). */
export const DIRECTIVE = /^#SBATCH/;

/** True when the script's header holds at least one `#SBATCH` directive Slurm would read. */
export function hasSbatchDirectives(text: string): boolean {
  for (const { text: line } of headerLines(text)) {
    if (DIRECTIVE.test(line)) return true;
  }
  return false;
}
