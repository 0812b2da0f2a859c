/**
 * Writes docs/rules/<id>.md (problem, why, fix, source, examples) and docs/rules/README.md from
 * the rules themselves, so the pages cannot drift from the code. `npm run docs`; a unit test
 * fails when the committed pages differ from what this writes.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_DESCRIPTIONS, RULES } from '../server/src/engine';
import { EXAMPLES } from '../server/src/rules/examples';
import type { Example, Rule } from '../server/src/rules/rule';

export const DOCS_DIR = join(__dirname, '..', 'docs', 'rules');

/**
 * Credentials in the examples are fake but look real on purpose (the secret rules must fire on
 * them); on the pages, which ship in the .vsix, their middle is masked so no scanner or reader
 * takes them for leaked keys.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '$1••••••••••••••••')
    .replace(/(aws_secret_access_key\s*[=:]\s*["']?)([A-Za-z0-9/+=]{4})[A-Za-z0-9/+=]{12,}/gi, '$1$2••••••••')
    .replace(/(xox[abprs]-)[A-Za-z0-9-]{10,}/g, '$1••••••••')
    .replace(/(https:\/\/hooks\.slack\.com\/services\/)[A-Za-z0-9/]+/g, '$1••••••••')
    .replace(/(:\/\/[^:\s/@]+:)([^@\s$]{2})[^@\s$]+@/g, '$1$2••••@');
}

function example(ex: string | Example): string {
  const raw = typeof ex === 'string' ? { text: ex } : ex;
  const e = { ...raw, text: maskSecrets(raw.text) };
  const lang = e.kind === 'apptainer' || /^Bootstrap:/m.test(e.text) ? '' : 'bash';
  const profile = e.profile ? `With the \`${e.profile}\` profile:\n\n` : '';
  return `${profile}\`\`\`${lang}\n${e.text.replace(/\r/g, '\\r').trimEnd()}\n\`\`\``;
}

export function rulePage(r: Rule): string {
  return [
    `# ${r.id}`,
    '',
    `**${r.title}** · default severity: ${r.severity} ([what the severities mean](README.md#severities)) · applies to: ${r.kinds.join(', ')}`,
    '',
    '## Problem',
    '',
    r.docs.problem,
    '',
    '## Why it matters',
    '',
    r.docs.why,
    '',
    '## Fix',
    '',
    r.docs.fix,
    '',
    '## Source',
    '',
    r.docs.source,
    '',
    '## Examples',
    '',
    'Reported:',
    '',
    EXAMPLES[r.id]!.bad.map(example).join('\n\n'),
    '',
    'Not reported:',
    '',
    EXAMPLES[r.id]!.good.map(example).join('\n\n'),
    '',
    '## Configuration',
    '',
    `Disable for one line with \`# hpc-lint disable=${r.id}\` on the line before, for a file with \`# hpc-lint disable-file=${r.id}\`, or change its severity in \`.hpc-geo.yaml\`:`,
    '',
    '```yaml',
    'rules:',
    `  ${r.id}: warning   # error | warning | info | off`,
    '```',
    '',
  ].join('\n');
}

export function indexPage(): string {
  const rows = RULES.map((r) => `| [${r.id}](${r.id}.md) | ${r.severity} | ${r.kinds.join(', ')} | ${r.title} |`);
  const engine = Object.entries(ENGINE_DESCRIPTIONS).map(([code, text]) => `| \`${code}\` | ${text} |`);
  return [
    '# hpc-lint rules',
    '',
    `${RULES.length} rules. The same engine runs in the editor (the HPC Geo language server) and on the command line (\`hpc-lint\`).`,
    '',
    '| rule | severity | applies to | what it finds |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '## Severities',
    '',
    '- **error**: sbatch refuses the script, or the job surely fails or surely does the wrong thing, on the facts of the cluster profile used (the generic profile states no site fact, so no site fact is an error there); and a credential readable in the file, which is exposed whatever the job does.',
    '- **warning**: most likely a mistake, but the script does not show everything that decides it (a site may differ, a program may do what the script does not).',
    '- **info**: worth knowing, and often meant: a deprecated spelling, a placeholder a driver fills in, which profile was used.',
    '',
    'A rule\'s severity can be changed, or the rule turned off, under `rules:` in `.hpc-geo.yaml`.',
    '',
    'Diagnostics of the engine itself:',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...engine,
    '',
  ].join('\n');
}

export function expectedPages(): Map<string, string> {
  const pages = new Map<string, string>([['README.md', indexPage()]]);
  for (const r of RULES) pages.set(`${r.id}.md`, rulePage(r));
  for (const code of Object.keys(ENGINE_DESCRIPTIONS)) {
    pages.set(`${code}.md`, `# ${code}\n\n${ENGINE_DESCRIPTIONS[code]}\n\nThis is a diagnostic of the hpc-lint engine itself, not a rule; see [the rules](README.md).\n`);
  }
  return pages;
}

if (require.main === module) {
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const f of readdirSync(DOCS_DIR)) rmSync(join(DOCS_DIR, f));
  for (const [name, text] of expectedPages()) writeFileSync(join(DOCS_DIR, name), text);
  console.log(`docs: wrote ${expectedPages().size} pages to docs/rules/`);
}
