/**
 * The `.hpc-geo.yaml` parser and the shipped profiles' one: every value checked against a small
 * schema, and a wrong one reported at its line and column. Apart from schema.ts, so that what only
 * reads profiles (the rules, hpc-lint on a script without .hpc-geo.yaml) does not load the YAML
 * library; esbuild makes it a bundle of its own (dist/configParser.js). Pure: no file system, no
 * `vscode`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { compileProgressRegex } from '../progress/progress';
import { parseTime } from '../sbatch/values';
import { UNKNOWN_RULE_ID, type ConfigProblem, type Profile, type ProgressConfig, type Severity, type WorkspaceConfig } from './schema';

// ---- a small schema, enough to check every value and say where it is wrong ----

type Schema =
  | { type: 'string'; enum?: readonly string[]; check?: (v: string) => string | undefined }
  | { type: 'number'; min?: number }
  | { type: 'boolean' }
  | { type: 'array'; items: Schema }
  | { type: 'object'; props: Record<string, Schema>; required?: string[] }
  | { type: 'map'; values: Schema }
  | { type: 'oneOf'; options: Schema[]; what: string };

const timeCheck = (v: string) => (parseTime(v) === undefined ? `'${v}' is not a Slurm time (days-hours:minutes:seconds)` : undefined);
const memPolicySchema: Schema = { type: 'string', enum: ['required', 'forbidden', 'allowed'] };

const partitionSchema: Schema = {
  type: 'object',
  props: {
    default: { type: 'boolean' },
    minNodes: { type: 'number', min: 1 },
    maxNodes: { type: 'number', min: 1 },
    maxTime: { type: 'string', check: timeCheck },
    mem: memPolicySchema,
    gpus: { type: 'boolean' },
  },
};

const profileSchema: Schema = {
  type: 'object',
  props: {
    description: { type: 'string' },
    extends: { type: 'string' },
    slurmVersion: { type: 'string', check: (v) => (/^\d+\.\d+/.test(v) ? undefined : `'${v}' is not a Slurm version such as 23.02`) },
    accountRequired: { type: 'boolean' },
    mem: memPolicySchema,
    cpusPerNode: { type: 'object', props: { physical: { type: 'number', min: 1 }, logical: { type: 'number', min: 1 } } },
    memoryPerNodeGB: { type: 'number', min: 0 },
    tmp: { type: 'object', props: { path: { type: 'string' }, sizeGB: { type: 'number', min: 0 }, small: { type: 'boolean' } } },
    shm: { type: 'object', props: { path: { type: 'string' }, sizeGB: { type: 'number', min: 0 } } },
    lustre: { type: 'array', items: { type: 'string', check: (v) => (v.startsWith('/') ? undefined : `'${v}' is not an absolute path`) } },
    openFilesLimit: { type: 'number', min: 16 },
    containerRuntimes: { type: 'array', items: { type: 'string', enum: ['apptainer', 'singularity'] } },
    gpu: {
      type: 'object',
      props: {
        vendor: { type: 'string', enum: ['nvidia', 'amd'] },
        model: { type: 'string' },
        containerFlag: { type: 'string', enum: ['--nv', '--rocm', 'none'] },
      },
    },
    maxArraySize: { type: 'number', min: 1 },
    partitions: { type: 'map', values: partitionSchema },
  },
};

const severitySchema: Schema = { type: 'string', enum: ['error', 'warning', 'info', 'off'] };

/** Compiled and checked for slow matching as the progress parser will use it (common/regexSafety). */
const regexCheck = (v: string) => {
  const r = compileProgressRegex(v);
  return r.ok ? undefined : r.reason;
};
const regexSchema: Schema = { type: 'string', check: regexCheck };

/** A progress view: which logs, which keys, which stages (see common/progress). */
const progressSchema: Schema = {
  type: 'object',
  props: {
    preset: { type: 'string', enum: ['fields-pipeline'] },
    log: { type: 'string', check: (v) => (v.includes('{key}') ? undefined : `'${v}' has no {key}`) },
    dir: { type: 'string' },
    keys: { type: 'oneOf', what: 'a list of keys or a range such as 2008..2024', options: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    stages: { type: 'array', items: { type: 'object', props: { name: { type: 'string' }, start: regexSchema, done: regexSchema, skip: regexSchema }, required: ['name', 'start'] } },
    failure: { type: 'array', items: regexSchema },
  },
};

const workspaceSchema: Schema = {
  type: 'object',
  props: {
    defaultProfile: { type: 'string' },
    profiles: { type: 'map', values: profileSchema },
    rules: { type: 'map', values: severitySchema },
    progress: { type: 'map', values: progressSchema },
  },
};

/** A check of a mapping's keys by the caller: a warning (code and message) for a key, or undefined. */
type KeyCheck = (path: string, key: string) => { code: string; message: string } | undefined;

/** Parses YAML text against a schema; values that fail are dropped and reported. */
function parseWithSchema(text: string, schema: Schema, keyCheck?: KeyCheck): { value: unknown; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  const at = (start: number, end: number, message: string) => {
    const s = lineCounter.linePos(start);
    const e = lineCounter.linePos(Math.max(start, end));
    problems.push({ message, line: s.line - 1, character: s.col - 1, endLine: e.line - 1, endCharacter: e.col - 1 });
  };
  for (const err of [...doc.errors, ...doc.warnings]) at(err.pos[0], err.pos[1], err.message.split('\n')[0]!);
  if (doc.errors.length) return { value: undefined, problems };
  const contents = doc.contents as YamlNode | null;
  if (!contents) return { value: {}, problems };

  const check = (node: YamlNode, s: Schema, path: string): unknown => {
    const [start, , end] = node.range ?? [0, 0, 0];
    const wrong = (what: string) => {
      at(start, end, `${path}: ${what}`);
      return undefined;
    };
    switch (s.type) {
      case 'string': {
        if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return wrong('expected text');
        const v = String(node.value);
        if (s.enum && !s.enum.includes(v)) {
          const near = nearestChoice(v, s.enum);
          return wrong(`'${v}' is not one of ${s.enum.join(', ')}${near ? `; did you mean ${near}?` : ''}`);
        }
        const bad = s.check?.(v);
        return bad ? wrong(bad) : v;
      }
      case 'number':
        if (!isScalar(node) || typeof node.value !== 'number') return wrong('expected a number');
        if (s.min !== undefined && node.value < s.min) return wrong(`${node.value} is below the minimum ${s.min}`);
        return node.value;
      case 'boolean':
        if (!isScalar(node) || typeof node.value !== 'boolean') return wrong('expected true or false');
        return node.value;
      case 'array': {
        if (!isSeq(node)) return wrong('expected a list');
        const out: unknown[] = [];
        node.items.forEach((item, i) => {
          const v = check(item as YamlNode, s.items, `${path}[${i}]`);
          if (v !== undefined) out.push(v);
        });
        return out;
      }
      case 'oneOf': {
        for (const option of s.options) {
          const before = problems.length;
          const v = check(node, option, path);
          if (problems.length === before) return v;
          problems.length = before;
        }
        return wrong(`expected ${s.what}`);
      }
      case 'object':
      case 'map': {
        if (!isMap(node)) return wrong('expected a mapping of keys to values');
        const out: Record<string, unknown> = {};
        const given = new Set<string>();
        for (const pair of node.items) {
          const keyNode = pair.key as YamlNode;
          const key = isScalar(keyNode) ? String(keyNode.value) : '';
          const sub = s.type === 'object' ? s.props[key] : s.values;
          if (!sub) {
            const [ks, , ke] = keyNode.range ?? [0, 0, 0];
            const known = Object.keys((s as { props: Record<string, Schema> }).props);
            at(ks, ke, `${path ? `${path}.` : ''}${key}: unknown key (known: ${known.join(', ')})`);
            continue;
          }
          const warning = s.type === 'map' ? keyCheck?.(path, key) : undefined;
          if (warning) {
            const [ks, , ke] = keyNode.range ?? [0, 0, 0];
            at(ks, ke, warning.message);
            Object.assign(problems[problems.length - 1]!, { severity: 'warning', code: warning.code });
          }
          if (pair.value === null || pair.value === undefined) continue;
          given.add(key);
          const v = check(pair.value as YamlNode, sub, path ? `${path}.${key}` : key);
          if (v !== undefined) out[key] = v;
        }
        const missing = (s.type === 'object' ? (s.required ?? []) : []).filter((req) => !(req in out));
        // a required value that was given but wrong has been reported where it is: say the cause once, and drop the entry
        if (missing.some((req) => given.has(req))) return undefined;
        for (const req of missing) at(start, end, `${path || 'this entry'}: ${req} is required`);
        return out;
      }
    }
  };
  return { value: check(contents, schema, ''), problems };
}

/** The choice a value was meant as: the same in another case, or the only one it begins (warn → warning). */
function nearestChoice(value: string, choices: readonly string[]): string | undefined {
  const v = value.trim().toLowerCase();
  if (!v) return undefined;
  const same = choices.find((c) => c.toLowerCase() === v);
  if (same) return same;
  const begun = choices.filter((c) => c.toLowerCase().startsWith(v));
  return begun.length === 1 ? begun[0] : undefined;
}

export function parseProfile(name: string, text: string): { profile: Profile; problems: ConfigProblem[] } {
  const { value, problems } = parseWithSchema(text, profileSchema);
  return { profile: { name, ...((value as object | undefined) ?? {}) }, problems };
}


export interface WorkspaceConfigOptions {
  /**
   * Checks a rule id under `rules:` (the language server and hpc-lint know the rules; this module
   * does not): a warning message for an unknown one, undefined for a known one.
   */
  checkRuleId?: (id: string) => string | undefined;
}


export function parseWorkspaceConfig(text: string, options: WorkspaceConfigOptions = {}): { config: WorkspaceConfig; problems: ConfigProblem[] } {
  const { checkRuleId } = options;
  const keyCheck: KeyCheck | undefined = checkRuleId
    ? (path, key) => {
        const message = path === 'rules' ? checkRuleId(key) : undefined;
        return message ? { code: UNKNOWN_RULE_ID, message } : undefined;
      }
    : undefined;
  const { value, problems } = parseWithSchema(text, workspaceSchema, keyCheck);
  const v = (value ?? {}) as { defaultProfile?: string; profiles?: Record<string, Omit<Profile, 'name'>>; rules?: Record<string, Severity | 'off'>; progress?: Record<string, ProgressConfig> };
  const profiles: Record<string, Profile> = {};
  for (const [name, p] of Object.entries(v.profiles ?? {})) profiles[name] = { name, ...p };
  return { config: { ...(v.defaultProfile ? { defaultProfile: v.defaultProfile } : {}), profiles, rules: v.rules ?? {}, progress: v.progress ?? {} }, problems };
}

/** A profile with its `extends` chain applied (partitions merged by name). */
