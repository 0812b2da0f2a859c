/**
 * Credentials written into scripts. Job scripts are copied, committed, shared and kept in
 * Slurm's accounting database; a secret in one leaks. Messages never repeat the secret.
 */
import type { Script } from '../analysis/script';
import type { Rule, RuleContext } from './rule';

/** Values that are clearly not real secrets: variables, placeholders, redactions. */
function isPlaceholder(v: string): boolean {
  return v === '' || /^\$|\$\{|\$\(|^<.*>$|\.\.\.|^\*+$|^x+$|^your[_-]|^(changeme|change_me|example|placeholder|redacted|secret|password|none|null|todo|tbd)$/i.test(v);
}

/** Regex matches over every line (comments included: a secret in a comment is still leaked). */
function scan(script: Script, re: RegExp, each: (m: RegExpExecArray, lineStart: number) => void): void {
  // one search of the whole text first: most scripts hold none, and then no line is visited
  re.lastIndex = 0;
  if (!re.test(script.text)) return;
  script.lines.forEach((line, n) => {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      each(m, script.index.starts[n]!);
      if (!re.global) break;
    }
  });
}

/** The fix for `NAME=secret`: take it from the submitting environment instead. */
function fromEnvironment(start: number, end: number, name: string) {
  return { title: `Read ${name} from the environment`, edits: [{ start, end, newText: `"\${${name}:?export ${name} before sbatch}"` }] };
}

export const awsAccessKey: Rule = {
  id: 'aws-access-key',
  severity: 'error',
  title: 'AWS access key id in a script',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'An AWS access key id (`AKIA…`, `ASIA…`) is written in the script.',
    why: 'Scripts are copied between clusters, committed to git and stored by Slurm (`scontrol write batch_script`, accounting); anyone who can read one can use the key. Containers built from a definition file carry it in their metadata.',
    fix: 'Keep credentials in `~/.aws/credentials` on the cluster (visible inside Apptainer by default) or export them in your shell before `sbatch` (the job inherits the environment); rotate the exposed key.',
    source: 'DR field report (template with AWS_ACCESS_KEY_ID=AKIA... in the job script); fields-pipeline field report ("AWS credentials just work in Apptainer").',
  },
  check(ctx) {
    scan(ctx.script, /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, (m, at) => {
      ctx.report({ start: at + m.index, end: at + m.index + m[0].length, message: 'An AWS access key id is written in this script: anyone who reads the script can use it. Keep it in ~/.aws/credentials or the submitting environment, and rotate it.' });
    });
  },
};

export const awsSecretKey: Rule = {
  id: 'aws-secret-key',
  severity: 'error',
  title: 'AWS secret access key in a script',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: '`AWS_SECRET_ACCESS_KEY=…` or `aws_secret_access_key = …` with a literal value.',
    why: 'The secret key with its key id gives full access to the account\'s S3 data; job scripts are copied, shared and kept by Slurm.',
    fix: 'Export it in your shell before `sbatch`, or keep it in `~/.aws/credentials`; the quick fix reads it from the environment and stops the job with a clear message when it is missing. Rotate the exposed key.',
    source: 'DR field report (AWS_SECRET_ACCESS_KEY passed in job scripts); fields-pipeline field report (credentials file on the login node).',
  },
  check(ctx) {
    scan(ctx.script, /(aws_secret_access_key)(\s*[=:]\s*)(["']?)([^\s"']+)\3/gi, (m, at) => {
      if (isPlaceholder(m[4]!) || m[4]!.length < 16) return;
      const start = at + m.index + m[1]!.length + m[2]!.length + m[3]!.length;
      const end = start + m[4]!.length;
      const upper = m[1] === 'AWS_SECRET_ACCESS_KEY';
      ctx.report({ start, end, message: 'An AWS secret access key is written in this script. Export it before sbatch or use ~/.aws/credentials, and rotate it.', ...(upper ? { fix: fromEnvironment(start - m[3]!.length, end + m[3]!.length, 'AWS_SECRET_ACCESS_KEY') } : {}) });
    });
  },
};

export const databaseUrlPassword: Rule = {
  id: 'database-url-password',
  severity: 'error',
  title: 'Password inside a database URL',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'A connection string with a password: `postgres://user:secret@host/db` (also mysql, mongodb, redis, amqp).',
    why: 'The password travels with every copy of the script and lands in Slurm\'s stored job scripts and environment records.',
    fix: 'Use `~/.pgpass` (mode 600) or export the URL before `sbatch` (`export PG_URL=...` in your shell; the job inherits it).',
    source: 'DR field report (PG_URL=postgres://... in job templates).',
  },
  check(ctx) {
    // the password runs to the first '@' or white space; that end is found by a scan that never
    // goes back, so a line of many `postgres://u:` without an '@' stays linear
    let lineStart = -1;
    let from = 0;
    let stop = 0;
    let resumeAt = 0; // as a regex would: the next URL is searched after the last one found
    scan(ctx.script, /\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?):\/\/([^:\s/@]+):/g, (m, at) => {
      const line = m.input;
      const p = m.index + m[0].length;
      if (at !== lineStart) resumeAt = 0;
      if (m.index < resumeAt) return;
      if (at !== lineStart || p < from || p > stop) {
        lineStart = at;
        from = p;
        stop = p;
        while (stop < line.length && line[stop] !== '@' && !/\s/.test(line[stop]!)) stop++;
      }
      if (stop === p || line[stop] !== '@') return;
      resumeAt = stop + 1;
      const password = line.slice(p, stop);
      if (isPlaceholder(password)) return;
      ctx.report({ start: at + p, end: at + stop, message: `A ${m[1]} URL in this script carries a password. Use ~/.pgpass or export the URL before sbatch.` });
    });
  },
};

const SECRET_NAME = /(TOKEN|PASSWORD|PASSWD|PASS|SECRET|API_?KEY|PRIVATE_KEY|SAS_?KEY|CLIENT_SECRET)$/i;

export const hardcodedSecret: Rule = {
  id: 'hardcoded-secret',
  severity: 'error',
  title: 'Token or password in a script',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'A variable named like a credential (`*_TOKEN`, `*_PASSWORD`, `*_SECRET`, `*_API_KEY`) is given a literal value, `sshpass -p` carries a password, or a Slack webhook, GitHub token or Azure SAS signature is written out.',
    why: 'Scripts are shared, committed and stored by Slurm; so is everything in them. Expired SAS tokens written into scripts also break runs weeks later.',
    fix: 'Export the value in your shell before `sbatch` (the job inherits it) or read it from a file only you can read; the quick fix reads the variable from the environment. For SSH use keys, not `sshpass`.',
    source: 'DR field report (Betzy/Saga "Password (sshpass)" auth, Slack notifications); romcrop/EMB field report (SAS token expiry).',
  },
  check(ctx: RuleContext) {
    for (const a of [...ctx.script.shell.assignments, ...ctx.script.shell.commands.flatMap((c) => c.prefixAssignments)]) {
      if (!SECRET_NAME.test(a.name) || !a.value || isPlaceholder(a.value.text) || a.value.text.length < 6 || /^(true|false|yes|no|none|null|\d{1,5})$/i.test(a.value.text) || a.value.text.startsWith('/') || a.value.text.startsWith('~')) continue;
      ctx.report({ start: a.value.start, end: a.value.end, message: `${a.name} is given a literal value in this script: anyone who reads the script has it. Export it before sbatch instead.`, fix: fromEnvironment(a.value.start, a.value.end, a.name) });
    }
    for (const inv of ctx.script.invocations) {
      if (inv.program !== 'sshpass' && inv.command.base !== 'sshpass') continue;
      const i = inv.command.args.findIndex((w) => w.text === '-p' || (w.text.startsWith('-p') && w.text.length > 2));
      const w = i >= 0 ? inv.command.args[i]! : undefined;
      if (!w) continue;
      const v = w.text === '-p' ? inv.command.args[i + 1] : { ...w, start: w.start + 2 };
      if (v && !isPlaceholder(v.text.replace(/^-p/, ''))) ctx.report({ start: v.start, end: v.end, message: 'sshpass -p puts the password in the script and in the process list. Use an SSH key (or sshpass -e with SSHPASS exported).' });
    }
    const patterns: [RegExp, string][] = [
      [/https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g, 'A Slack webhook URL'],
      [/\bgh[pousr]_[A-Za-z0-9]{36}\b/g, 'A GitHub token'],
      [/\bsig=[A-Za-z0-9%+/=]{20,}/g, 'An Azure SAS signature'],
      [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, 'A Slack token'],
    ];
    for (const [re, what] of patterns) {
      scan(ctx.script, re, (m, at) => {
        const start = at + m.index;
        if (ctx.script.shell.assignments.some((a) => a.value && a.value.start <= start && start < a.value.end && SECRET_NAME.test(a.name))) return;
        ctx.report({ start, end: start + m[0].length, message: `${what} is written in this script; it works for anyone who reads it. Export it before sbatch instead.` });
      });
    }
  },
};
