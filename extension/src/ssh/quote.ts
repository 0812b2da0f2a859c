/**
 * Remote command lines. A remote command is always built from argv: every argument is quoted for
 * POSIX sh, so no user data (job names, paths, patterns) can become shell syntax on the cluster.
 *
 * sshd does not run a command with /bin/sh but with the user's login shell (`$SHELL -c line`),
 * and that may be tcsh or fish, whose quoting differs (in fish, `\'` inside single quotes is an
 * escape). So the line is never given to the login shell: it travels hex-encoded as arguments of
 * one fixed /bin/sh program that decodes and runs it. The login shell only sees that program in
 * single quotes, holding no backslash, quote, `!` or newline, and hex words: text that sh, bash,
 * zsh, tcsh and fish all read the same. The login shell still starts first and reads its own
 * startup files, so Slurm's commands are found on the PATH they set up, as before.
 *
 * What those startup files print comes before OUTPUT_MARK and is cut off (connection.ts), and a
 * command found only through /etc/profile.d runs again as a login sh (`login`).
 */

import { commandLine, quoteArg } from '../../../common/shellWords';

export { commandLine, quoteArg };

/**
 * The /bin/sh program that runs every remote command: its arguments joined are the hex of the
 * command line; awk (POSIX, in the C locale so that each value is one byte) decodes it, and the
 * line replaces the shell (`exec`), so a signal sent to the channel reaches the command itself.
 */
export const REMOTE_DECODER =
  'eval "exec $(printf %s "$@" | LC_ALL=C awk -v f=%c -v d=0123456789abcdef "BEGIN { getline h; for (i = 1; i < length(h); i += 2) printf f, (index(d, substr(h, i, 1)) - 1) * 16 + index(d, substr(h, i + 1, 1)) - 1 }")"';

/** Hex words of at most this many characters (old csh-family shells limit a word's length). */
const HEX_WORD = 1000;

/**
 * What the program prints on stdout and stderr before the command runs: whatever comes before it
 * was printed by the login shell's startup files (a ~/.bashrc that talks), not by the command.
 * Letters, digits and dashes only, as the program must hold no quote.
 */
export const OUTPUT_MARK = 'hpc-geo-command-starts-9f3c1e';

export interface RemoteCommandOptions {
  /** Print OUTPUT_MARK on stdout and stderr first (commands whose output is read, not a terminal). */
  mark?: boolean;
  /** Run the program as a login sh (/etc/profile, /etc/profile.d, ~/.profile), as a terminal would. */
  login?: boolean;
}

/** What is sent to sshd for argv: the same in every login shell (see the top of this file). */
export function remoteCommand(argv: readonly string[], options: RemoteCommandOptions = {}): string {
  const hex = Buffer.from(commandLine(argv), 'utf8').toString('hex');
  const words: string[] = [];
  for (let i = 0; i < hex.length; i += HEX_WORD) words.push(hex.slice(i, i + HEX_WORD));
  const program = `${options.mark ? `printf %s ${OUTPUT_MARK}; printf %s ${OUTPUT_MARK} >&2; ` : ''}${REMOTE_DECODER}`;
  return `/bin/sh ${options.login ? '-l ' : ''}-c '${program}' sh ${words.join(' ')}`;
}
