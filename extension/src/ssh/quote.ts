/**
 * POSIX shell quoting. A remote command is always built from argv: every argument is quoted, so
 * no user data (job names, paths, patterns) can become shell syntax on the cluster.
 */

/** One argument as a POSIX shell word: bare when it is plainly safe, else single-quoted. */
export function quoteArg(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  // inside single quotes nothing is special but the quote itself: end, escaped quote, reopen
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: readonly string[]): string {
  if (!argv.length) throw new Error('no command');
  return argv.map(quoteArg).join(' ');
}
