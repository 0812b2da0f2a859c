/**
 * Slurm reads `#SBATCH` directives only from the script's leading block of comments and blank
 * lines; the first other line ends it (sbatch(1), "SCRIPT"). These helpers look at that block.
 */

/** The lines of the leading comment/blank block, with their 0-based line numbers. */
export function* headerLines(text: string, maxLines = 500): Generator<{ line: number; text: string }> {
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
