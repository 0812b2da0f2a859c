/** POSIX shell words: how the remote command lines (extension/src/ssh/quote.ts) and the resubmit preview quote argv. Pure. */

/** One argument as a POSIX shell word: bare when it is plainly safe, else single-quoted. */
export function quoteArg(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  // inside single quotes nothing is special but the quote itself: end, escaped quote, reopen
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** argv as one POSIX sh command line. */
export function commandLine(argv: readonly string[]): string {
  if (!argv.length) throw new Error('no command');
  return argv.map(quoteArg).join(' ');
}
