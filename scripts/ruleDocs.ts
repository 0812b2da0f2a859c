/**
 * Writes docs/rules/<id>.md (problem, why, fix, source, examples) and docs/rules/README.md from
 * the rules themselves, so the pages cannot drift from the code. `npm run docs`; a unit test
 * fails when the committed pages differ from what this writes.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_DESCRIPTIONS, RULES } from '../server/src/engine';
import type { Example, Rule } from '../server/src/rules/rule';

export const DOCS_DIR = join(__dirname, '..', 'docs', 'rules');

function example(ex: string | Example): string {
  const e = typeof ex === 'string' ? { text: ex } : ex;
  const lang = e.kind === 'apptainer' || /^Bootstrap:/m.test(e.text) ? '' : 'bash';
  const profile = e.profile ? `With the \`${e.profile}\` profile:\n\n` : '';
  return `${profile}\`\`\`${lang}\n${e.text.replace(/\r/g, '\\r').trimEnd()}\n\`\`\``;
}

export function rulePage(r: Rule): string {
  return [
    `# ${r.id}`,
    '',
    `**${r.title}** · default severity: ${r.severity} · applies to: ${r.kinds.join(', ')}`,
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
    r.examples.bad.map(example).join('\n\n'),
    '',
    'Not reported:',
    '',
    r.examples.good.map(example).join('\n\n'),
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
