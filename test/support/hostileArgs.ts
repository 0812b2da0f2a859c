/**
 * Generated hostile shell arguments (never stored): what a job name, a typed path or a YAML
 * `log`/`dir` may hold, with the specials of sh, bash, tcsh and fish. Each argument that could run
 * something names `canary`, so a test sees whether any was executed.
 */
export function hostileArgs(count: number, canary: string): string[] {
  const pieces = [
    "'", '"', '\\', "\\'", '\\\\', '$', '$HOME', '${HOME}', '$status', '%self', '`', '`id`', ';', '|', '&', '&&', '||', '>', '<', '(', ')', '{', '}', '{a,b}', '*', '?', '[', ']',
    '~', '~root', '#', '!', '!!', '!$', '!-1', '^x^y', ':h', '$<', '\n', '\r\n', '\t', ' ', '%', '%%', '%s', 'é', '日本', '🌍', '\u00a0', '\u2028',
    `$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `x\\'; touch ${canary}; echo '`, `'; touch ${canary}; echo '`, `(touch ${canary})`, `"; touch ${canary}; echo "`,
    `\ntouch ${canary}\n`, `\\\ntouch ${canary}`, '--', '-n', '-e', '',
  ];
  const n = pieces.length;
  return Array.from({ length: count }, (_, i) => `${i}:${pieces[i % n]}${pieces[(i * 7 + 3) % n]}${pieces[(i * 13 + 5) % n]}`);
}
