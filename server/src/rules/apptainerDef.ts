/** Apptainer definition files: header, sections, and %post pitfalls. */
import { headerValue, HEADER_KEYWORDS, KNOWN_SECTIONS } from '../analysis/apptainer';
import type { Rule } from './rule';
import { didYouMean, suggest } from './util';

export const defMissingBootstrap: Rule = {
  id: 'def-missing-bootstrap',
  severity: 'error',
  title: 'Definition file without Bootstrap',
  kinds: ['apptainer'],
  docs: {
    problem: 'The header has no `Bootstrap:` line (or a `Bootstrap: docker` without `From:`).',
    why: '`apptainer build` stops at once: it does not know where the base image comes from.',
    fix: 'Start the file with `Bootstrap: docker` and `From: <image>:<tag>` (or another bootstrap agent: localimage, library, oras).',
    source: 'Apptainer documentation, "Definition Files" (header).',
  },
  check(ctx) {
    const def = ctx.script.def!;
    const bootstrap = headerValue(def, 'Bootstrap');
    if (!bootstrap) {
      ctx.report({ start: 0, end: ctx.script.index.lineEnd(0), message: 'A definition file starts with a Bootstrap: line (e.g. Bootstrap: docker); apptainer build refuses it without one.' });
      return;
    }
    if (['docker', 'library', 'oras', 'shub', 'localimage', 'docker-daemon', 'docker-archive'].includes(bootstrap.value.toLowerCase()) && !headerValue(def, 'From')) {
      ctx.report({ start: bootstrap.keyStart, end: bootstrap.valueEnd, message: `Bootstrap: ${bootstrap.value} needs a From: line naming the base image.` });
    }
  },
};

export const defUnknownHeader: Rule = {
  id: 'def-unknown-header',
  severity: 'error',
  title: 'Unknown keyword in a definition file header',
  kinds: ['apptainer'],
  docs: {
    problem: 'A header line uses a keyword Apptainer does not know (`Bootsrap:`, `FROM:` is fine, `Image:` is not).',
    why: '`apptainer build` fails to parse the header.',
    fix: 'Use a header keyword: Bootstrap, From, Stage, Include, MirrorURL, OSVersion, Registry, Namespace, Library, Fingerprints...',
    source: 'Apptainer documentation, "Definition Files".',
  },
  check(ctx) {
    const known = HEADER_KEYWORDS.map((k) => k.toLowerCase());
    for (const h of ctx.script.def!.header) {
      if (known.includes(h.key.toLowerCase())) continue;
      ctx.report(suggest(h.keyStart, h.keyStart + h.key.length, `'${h.key}' is not a definition file keyword`, didYouMean(h.key, HEADER_KEYWORDS)));
    }
  },
};

export const defUnknownSection: Rule = {
  id: 'def-unknown-section',
  severity: 'error',
  title: 'Unknown %section',
  kinds: ['apptainer'],
  docs: {
    problem: 'A `%section` name Apptainer does not know (`%enviroment`, `%postinstall`).',
    why: '`apptainer build` refuses the file, or (for some typos) the section\'s content is silently not used: variables never set, commands never run.',
    fix: 'Use a known section: %setup, %files, %environment, %post, %runscript, %startscript, %test, %labels, %help, %arguments, or the %app* ones.',
    source: 'Apptainer documentation, "Definition Files" (sections).',
  },
  check(ctx) {
    for (const s of ctx.script.def!.sections) {
      if (KNOWN_SECTIONS.has(s.name)) continue;
      const best = didYouMean(s.name, [...KNOWN_SECTIONS]);
      ctx.report(suggest(s.start, s.nameEnd, `%${s.name} is not a definition file section`, best && `%${best}`));
    }
  },
};

/** Base images whose system Python is "externally managed" (PEP 668). */
export function isPep668Base(from: string): boolean {
  const f = from.toLowerCase().replace(/^docker:\/\//, '');
  if (/(^|\/)debian:(12|13|14|bookworm|trixie|forky|sid|testing|stable)\b/.test(f)) return true;
  if (/(^|\/)ubuntu:(2[3-9]\.\d\d|noble|oracular|plucky|questing|devel|rolling|latest)\b/.test(f)) return true;
  if (/(^|\/)alpine:(3\.(19|2\d)|edge|latest)\b/.test(f)) return true;
  const gdal = /osgeo\/gdal:ubuntu-(?:small|full)-(\d+)\.(\d+)/.exec(f);
  if (gdal) return Number(gdal[1]) > 3 || (Number(gdal[1]) === 3 && Number(gdal[2]) >= 9);
  return /osgeo\/gdal:(ubuntu-(small|full)-)?latest$/.test(f);
}

export const pipExternallyManaged: Rule = {
  id: 'pip-externally-managed',
  severity: 'warning',
  title: 'pip install into an externally managed Python (PEP 668)',
  kinds: ['apptainer'],
  docs: {
    problem: '`%post` runs `pip install` into the system Python of a base image that marks it externally managed (Debian 12+, Ubuntu 23.04+, GDAL images on Ubuntu 24.04), with no virtual environment and no `--break-system-packages`.',
    why: 'pip refuses: "error: externally-managed-environment", and the build fails after the slow apt steps.',
    fix: 'Create a venv (`python3 -m venv /opt/venv` and use `/opt/venv/bin/pip`), or, in a container that is yours alone, add `--break-system-packages` (what the fields pipeline did); the quick fix adds the flag.',
    source: 'Fields-pipeline field report, "Bug #5: Saga PEP 668 container build failure"; PEP 668.',
  },
  check(ctx) {
    const from = headerValue(ctx.script.def!, 'From');
    if (!from || !isPep668Base(from.value)) return;
    const venv = ctx.script.invocations.some((i) => (i.program.startsWith('python') && i.args.some((a, k) => a.text === '-m' && ['venv', 'virtualenv'].includes(i.args[k + 1]?.text ?? ''))) || i.program === 'virtualenv' || (i.program === 'uv' && i.args[0]?.text === 'venv') || /^(conda|mamba|micromamba)$/.test(i.program));
    if (venv) return;
    for (const inv of ctx.script.invocations) {
      const viaModule = inv.program.startsWith('python') && inv.args[0]?.text === '-m' && inv.args[1]?.text === 'pip';
      if (!/^pip[\d.]*$/.test(inv.program) && !viaModule) continue;
      const args = viaModule ? inv.args.slice(2) : inv.args;
      const install = args.find((a) => a.text === 'install');
      if (!install || args.some((a) => a.text === '--break-system-packages') || (inv.programWord?.text.includes('/venv/') ?? false)) continue;
      ctx.report({ start: inv.command.start, end: install.end, message: `${from.value} marks its Python as externally managed (PEP 668): pip stops with "externally-managed-environment". Use a venv or add --break-system-packages.`, fix: { title: 'Add --break-system-packages', edits: [{ start: install.end, end: install.end, newText: ' --break-system-packages' }] } });
    }
  },
};

export const aptWithoutYes: Rule = {
  id: 'apt-without-yes',
  severity: 'error',
  title: 'apt-get install without -y in a container build',
  kinds: ['apptainer'],
  docs: {
    problem: '`apt-get install` (or `apt install`) in `%post` without `-y`.',
    why: 'The build has no terminal to answer "Do you want to continue? [Y/n]": apt aborts and the build fails.',
    fix: 'Add `-y` (and set `DEBIAN_FRONTEND=noninteractive` for packages that ask questions); the quick fix adds `-y`.',
    source: 'apt-get(8), -y; fields-pipeline field report (its %post uses apt-get install -y -qq).',
  },
  check(ctx) {
    for (const inv of ctx.script.invocations) {
      if (inv.program !== 'apt-get' && inv.program !== 'apt') continue;
      const install = inv.args.find((a) => a.text === 'install');
      if (!install || inv.args.some((a) => a.text === '--yes' || a.text === '--assume-yes' || (a.text.includes('y') && /^-\w+$/.test(a.text)))) continue;
      ctx.report({ start: inv.command.start, end: install.end, message: `${inv.program} install waits for a "Do you want to continue?" answer that a build cannot give, and aborts. Add -y.`, fix: { title: 'Add -y', edits: [{ start: install.end, end: install.end, newText: ' -y' }] } });
    }
  },
};
