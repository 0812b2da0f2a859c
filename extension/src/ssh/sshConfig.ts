/**
 * Hosts from OpenSSH's client configuration (the ssh-config package parses it): Host patterns,
 * HostName, User, Port, IdentityFile, IdentitiesOnly, IdentityAgent, ProxyJump,
 * ServerAliveInterval, UserKnownHostsFile, StrictHostKeyChecking, and Include (inlined here, as
 * ssh-config leaves it unexpanded). `Match exec` is never run: reading a config runs nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type * as SshConfigModule from 'ssh-config' with { 'resolution-mode': 'import' };

// ssh-config is an ES module with a CommonJS build; this file is CommonJS
const SSHConfig = (require('ssh-config') as typeof SshConfigModule).default;
import type { ClusterTarget, HopTarget } from './types';
import { wildcardMatch } from './wildcard';

export interface SshConfigEnv {
  home: string;
  localUser: string;
  /** $SSH_AUTH_SOCK */
  agentSocket?: string;
}

export function defaultEnv(): SshConfigEnv {
  return { home: homedir(), localUser: userInfo().username, ...(process.env.SSH_AUTH_SOCK ? { agentSocket: process.env.SSH_AUTH_SOCK } : {}) };
}

const MAX_INCLUDE_DEPTH = 16;

function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** Files matching a path whose components may hold `*` and `?` (Include takes globs); the folders listed go to `read`. */
function glob(pattern: string, read?: Set<string>): string[] {
  const parts = pattern.split('/');
  let paths = [pattern.startsWith('/') ? '/' : '.'];
  for (const part of parts.filter(Boolean)) {
    if (!/[*?]/.test(part)) {
      paths = paths.map((p) => join(p, part));
      continue;
    }
    paths = paths.flatMap((dir) => {
      read?.add(dir);
      try {
        return readdirSync(dir).filter((f) => wildcardMatch(part, f) && !f.startsWith('.')).sort().map((f) => join(dir, f));
      } catch {
        return [];
      }
    });
  }
  return paths.filter((p) => existsSync(p) && statSync(p).isFile());
}

/** What follows `Include` (then spaces or `=`) on a config line; undefined for other lines. Plain string code: linear. */
function includeArgs(line: string): string | undefined {
  const t = line.trimStart();
  if (t.slice(0, 7).toLowerCase() !== 'include') return undefined;
  let rest = t.slice(7);
  const spaced = rest.trimStart();
  if (spaced.startsWith('=')) rest = spaced.slice(1).trimStart();
  else if (spaced.length < rest.length) rest = spaced;
  else return undefined; // IncludeX: another keyword
  return rest.trimEnd() ? rest : undefined;
}

/**
 * The config text with every Include replaced by the files it names (relative to ~/.ssh); the
 * files and folders it read go to `read` (what a change of the config could touch).
 */
export function inlineIncludes(text: string, env: SshConfigEnv, depth = 0, read?: Set<string>): string {
  if (depth > MAX_INCLUDE_DEPTH) return '';
  return text
    .split(/\r?\n/)
    .map((line) => {
      const args = includeArgs(line);
      if (args === undefined) return line;
      // a name given twice adds nothing (the first value wins): each is looked up once
      const names = new Set(args.match(/"[^"]*"|\S+/g)!.map((s) => s.replace(/^"|"$/g, '')));
      const files = [...names].flatMap((p) => {
        const abs = expandTilde(p, env.home);
        return glob(isAbsolute(abs) ? abs : join(env.home, '.ssh', abs), read);
      });
      for (const f of files) read?.add(f);
      return files.map((f) => inlineIncludes(readFileSync(f, 'utf8'), env, depth + 1, read)).join('\n');
    })
    .join('\n');
}

export class SshConfigFile {
  private readonly config: ReturnType<typeof SSHConfig.parse>;
  /** The files and folders this config was read from (the file itself, its Includes and the folders their globs listed). */
  readonly sources: readonly string[];

  constructor(text: string, readonly env: SshConfigEnv = defaultEnv(), file?: string) {
    const read = new Set<string>(file ? [file] : []);
    this.config = SSHConfig.parse(inlineIncludes(text, env, 0, read));
    this.sources = [...read];
  }

  static read(file?: string, env: SshConfigEnv = defaultEnv()): SshConfigFile {
    const path = file ?? join(env.home, '.ssh', 'config');
    return new SshConfigFile(existsSync(path) ? readFileSync(path, 'utf8') : '', env, path);
  }

  /** Host aliases written without wildcards: the clusters a user can pick. */
  aliases(): string[] {
    const out: string[] = [];
    for (const section of this.config) {
      if (!('param' in section) || String(section.param).toLowerCase() !== 'host') continue;
      const values = Array.isArray(section.value) ? section.value : [section.value];
      for (const v of values) {
        const name = typeof v === 'string' ? v : (v as { val: string }).val;
        if (name && !/[*?!]/.test(name) && !out.includes(name)) out.push(name);
      }
    }
    return out;
  }

  private compute(alias: string): Record<string, string | string[]> {
    return this.config.compute(alias, { ignoreCase: true, matchExec: false } as never) as unknown as Record<string, string | string[]>;
  }

  /** One hop as OpenSSH would connect to `alias` (`[user@]host[:port]` also works). */
  hop(spec: string, overrides: Partial<Pick<HopTarget, 'user' | 'port'>> = {}): HopTarget {
    const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.trim());
    const alias = m?.[2]?.replace(/^\[|\]$/g, '') ?? spec;
    const c = this.compute(alias);
    const one = (k: string) => (Array.isArray(c[k]) ? (c[k] as string[])[0] : (c[k] as string | undefined));
    const many = (k: string) => (c[k] === undefined ? [] : Array.isArray(c[k]) ? (c[k] as string[]) : [c[k] as string]);
    const user = overrides.user ?? m?.[1] ?? one('user') ?? this.env.localUser;
    const port = overrides.port ?? (m?.[3] ? Number(m[3]) : one('port') ? Number(one('port')) : 22);
    const host = (one('hostname') ?? alias).replace(/%h/g, alias).replace(/%%/g, '%');
    const tokens = (s: string) =>
      expandTilde(s, this.env.home).replace(/%(.)/g, (all, t: string) => ({ h: host, p: String(port), r: user, u: this.env.localUser, d: this.env.home, '%': '%' })[t] ?? all);
    const identityFiles = many('identityfile').map(tokens);
    const agentSetting = one('identityagent');
    const agent = agentSetting === 'none' ? undefined : agentSetting ? tokens(agentSetting.replace(/^SSH_AUTH_SOCK$/, this.env.agentSocket ?? '')) : this.env.agentSocket;
    const strict = (one('stricthostkeychecking') ?? 'ask').toLowerCase();
    const knownHosts = many('userknownhostsfile').flatMap((v) => v.split(/\s+/)).map(tokens);
    return {
      alias,
      host,
      port,
      user,
      identityFiles: identityFiles.length ? identityFiles : ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'].map((f) => join(this.env.home, '.ssh', f)),
      identitiesOnly: (one('identitiesonly') ?? 'no').toLowerCase() === 'yes',
      ...(agent ? { agent } : {}),
      // OpenSSH's default is no keepalive; a session that lives all day needs one
      keepaliveSeconds: Number(one('serveraliveinterval') ?? 30) || 0,
      knownHostsFiles: [...(knownHosts.length ? knownHosts : [join(this.env.home, '.ssh', 'known_hosts'), join(this.env.home, '.ssh', 'known_hosts2')]), '/etc/ssh/ssh_known_hosts'],
      strictHostKeyChecking: strict === 'yes' || strict === 'no' || strict === 'accept-new' ? strict : strict === 'off' ? 'no' : 'ask',
    };
  }

  /** A cluster with its ProxyJump chain, each jump host resolved through the config as well. */
  target(spec: string, overrides: Partial<Pick<HopTarget, 'user' | 'port'>> & { identityFile?: string; proxyJump?: string } = {}): ClusterTarget {
    const hop = this.hop(spec, overrides);
    if (overrides.identityFile) hop.identityFiles = [expandTilde(overrides.identityFile, this.env.home)];
    const jumps: HopTarget[] = [];
    const seen = new Set<string>([spec]);
    const proxy = (alias: string, depth: number): void => {
      const c = this.compute(alias);
      const value = (alias === spec && overrides.proxyJump) || (Array.isArray(c.proxyjump) ? c.proxyjump[0] : c.proxyjump);
      if (!value || value === 'none' || depth > 8) return;
      for (const j of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (seen.has(j)) throw new Error(`ProxyJump loop through ${j}`);
        seen.add(j);
        const jump = this.hop(j);
        proxy(jump.alias, depth + 1); // a jump host may itself need a jump
        jumps.push(jump);
      }
    };
    proxy(hop.alias, 0);
    return { ...hop, jumps };
  }
}
