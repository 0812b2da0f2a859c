/**
 * The hostile inputs of issue 15's linter items, generated (never stored): each one made an
 * engine step grow faster than its input. Shared by the unit, CLI and language server tests and
 * by bench/hostileLint.bench.ts. `before` is what the review measured before the fix.
 */
export interface HostileCase {
  name: string;
  text: string;
  /** The file name the CLI is given (the kind is detected from it and the text). */
  fileName: string;
  before: string;
}

const SHEBANG = '#!/bin/bash\n';

export function hostileCases(): HostileCase[] {
  const sbatch = (name: string, text: string, before: string): HostileCase => ({ name, text, fileName: 'job.sbatch', before });
  return [
    sbatch('30 blank lines after the shebang', `${SHEBANG}${'\n'.repeat(30)}srun x\n`, 'detectKind: N=28 13.8 s, doubling every 2 lines'),
    sbatch('30 lines of two spaces', `${SHEBANG}${'  \n'.repeat(30)}srun x\n`, 'detectKind: 82 s'),
    sbatch('30 CRLF blank lines', `#!/bin/bash\r\n${'\r\n'.repeat(30)}srun x\r\n`, 'detectKind: 57 s'),
    sbatch('100 KB of ${', `${SHEBANG}${'${'.repeat(50_000)}\n`, 'parse 7.5 s'),
    sbatch('100k |', `${SHEBANG}${'|'.repeat(100_000)}\n`, 'parse > 60 s'),
    sbatch('50k <<', `${SHEBANG}${'<<'.repeat(50_000)}\n`, 'parse 48 s'),
    sbatch('100 KB of < after an assignment', `${SHEBANG}A=${'<'.repeat(100_000)}\n`, 'parse 77 s'),
    sbatch('20k NUL lines after 8 KiB', `${SHEBANG}${'# comment line\n'.repeat(600)}${'\u0000\n'.repeat(20_000)}`, 'NUL checked in the first 8 KiB only: parse 8.4 s'),
    sbatch('50k options on one line', `${SHEBANG}#SBATCH${' --time=01:00:00'.repeat(50_000)}\nsrun x\n`, 'duplicate-option 49.7 s'),
    sbatch('1 MB line of database URL starts', `${SHEBANG}export U=${'postgres://u:'.repeat(80_000)}\n`, 'database-url-password 48.6 s'),
    sbatch('100k unknown options', `${SHEBANG}${Array.from({ length: 100_000 }, (_, i) => `#SBATCH --qz${i.toString(36)}=1\n`).join('')}srun x\n`, 'suggestions 25.8 s'),
    sbatch('one 1M-character option name', `${SHEBANG}#SBATCH --${'n'.repeat(1_000_000)}\nsrun x\n`, 'suggestion up to 7.9 s'),
  ];
}

/** A line whose completion ran `(\S+)\s+$` and `(\S*)$` in quadratic time: 184 ms at 16k characters. */
export function longDirectiveLine(chars: number): string {
  return `#SBATCH ${'a'.repeat(chars)} b `;
}
