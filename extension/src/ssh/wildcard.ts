/**
 * OpenSSH's wildcard patterns (`*` any run, `?` one character), as in known_hosts host fields and
 * Include globs. Matched by plain string code, not by a RegExp built from the pattern: with
 * backtracking, `*a*a*a*b` against a long name took time to the power of its stars. This is the
 * classic greedy match that returns to the last star only: at most pattern × name steps.
 */
export function wildcardMatch(pattern: string, name: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const s = ignoreCase ? name.toLowerCase() : name;
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === s[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      resume = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}
