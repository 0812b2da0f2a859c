/**
 * Apptainer (Singularity) definition files: a header of `Keyword: value` lines, then `%sections`.
 * The shell sections are linted as shell: `shellMask` blanks everything else so one parse of the
 * masked text gives offsets that are the file's own.
 */

export const SHELL_SECTIONS = new Set([
  'setup', 'post', 'environment', 'runscript', 'startscript', 'test',
  'appinstall', 'appenv', 'apprun', 'appsetup', 'apptest', 'appstart',
]);

export const KNOWN_SECTIONS = new Set([...SHELL_SECTIONS, 'files', 'labels', 'help', 'arguments', 'appfiles', 'applabels', 'apphelp']);

export const HEADER_KEYWORDS = [
  'Bootstrap', 'From', 'Stage', 'Include', 'IncludeCmd', 'MirrorURL', 'OSVersion', 'UpdateURL', 'Registry',
  'Namespace', 'Library', 'Fingerprints', 'Product', 'User', 'Confurl', 'SetOpt', 'Build', 'UseGPG',
] as const;

export interface DefHeaderLine {
  key: string;
  value: string;
  line: number;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

export interface DefSection {
  name: string;
  args: string;
  line: number;
  /** Offset of the `%`. */
  start: number;
  nameEnd: number;
  /** The section's content, after its header line, up to the next section. */
  bodyStart: number;
  bodyEnd: number;
}

export interface DefFile {
  header: DefHeaderLine[];
  sections: DefSection[];
  /** Non-comment header lines that are not `Keyword: value`. */
  strayHeaderLines: { line: number; start: number; end: number }[];
}

export function parseDef(text: string): DefFile {
  const def: DefFile = { header: [], sections: [], strayHeaderLines: [] };
  let offset = 0;
  let line = 0;
  let current: DefSection | undefined;
  while (offset <= text.length) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    const lineText = text.slice(offset, end).replace(/\r$/, '');
    const section = /^%([A-Za-z]\w*)/.exec(lineText);
    if (section) {
      if (current) current.bodyEnd = offset;
      current = {
        name: section[1]!.toLowerCase(),
        args: lineText.slice(section[0].length).trim(),
        line,
        start: offset,
        nameEnd: offset + 1 + section[1]!.length,
        bodyStart: Math.min(end + 1, text.length),
        bodyEnd: text.length,
      };
      def.sections.push(current);
    } else if (!current) {
      const trimmed = lineText.trim();
      const kv = /^(\s*)([A-Za-z]+)\s*:/.exec(lineText);
      if (kv && trimmed !== '' && !trimmed.startsWith('#')) {
        const keyStart = offset + kv[1]!.length;
        const rest = lineText.slice(kv[0].length);
        const value = rest.trim();
        const valueStart = offset + kv[0].length + (rest.length - rest.trimStart().length);
        def.header.push({ key: kv[2]!, value, line, keyStart, valueStart, valueEnd: valueStart + value.length });
      } else if (trimmed !== '' && !trimmed.startsWith('#')) {
        def.strayHeaderLines.push({ line, start: offset, end: offset + lineText.length });
      }
    }
    if (end === text.length) break;
    offset = end + 1;
    line++;
  }
  return def;
}

/** The text with everything outside shell sections replaced by spaces (line ends kept). */
export function shellMask(text: string, def: DefFile): string {
  const keep = def.sections.filter((s) => SHELL_SECTIONS.has(s.name));
  let out = '';
  let at = 0;
  for (const s of keep) {
    out += blank(text.slice(at, s.bodyStart));
    out += text.slice(s.bodyStart, s.bodyEnd);
    at = s.bodyEnd;
  }
  return out + blank(text.slice(at));
}

function blank(s: string): string {
  return s.replace(/[^\r\n]/g, ' ');
}

export function headerValue(def: DefFile, key: string): DefHeaderLine | undefined {
  const k = key.toLowerCase();
  return def.header.find((h) => h.key.toLowerCase() === k);
}
