/**
 * known_hosts as OpenSSH reads and writes it: plain host patterns (with `*`, `?`, `!`), hashed
 * entries (`|1|salt|hash`), `[host]:port` for non-22 ports, `@revoked` and `@cert-authority`
 * markers. A key is trusted only when an entry for this host holds exactly it.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { wildcardMatch } from './wildcard';

/** The name known_hosts uses for a host: `host`, or `[host]:port` when the port is not 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:...`, as `ssh-keygen -lf` and OpenSSH's prompts print it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/(?<!=)=+$/, '')}`;
}

/** The host key algorithms ssh2 should prefer for a key type already known for a host. */
export function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

/** A host pattern against a name: `*` and `?` are wildcards, everything else literal (`[host]:port` too). */
function globMatch(pattern: string, name: string): boolean {
  return wildcardMatch(pattern, name, true);
}

/** Whether a known_hosts host field (comma-separated patterns, or one hashed name) names this host. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  type: string;
  key: string;
}

export function entriesFor(files: readonly string[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostName(host, port);
  const out: KnownHostEntry[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      let marker: KnownHostEntry['marker'];
      if (parts[0]!.startsWith('@')) {
        const m = parts.shift()!;
        if (m === '@revoked') marker = 'revoked';
        else if (m === '@cert-authority') marker = 'cert-authority';
        else return;
      }
      const [field, type, key] = parts;
      if (!field || !type || !key || !hostFieldMatches(field, name)) return;
      out.push({ file, line: i + 1, type, key, ...(marker ? { marker } : {}) });
    });
  }
  return out;
}

export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown'; otherTypes: string[] }
  | { status: 'changed'; file: string; line: number; knownFingerprint: string }
  | { status: 'revoked'; file: string; line: number };

export function checkHostKey(files: readonly string[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const type = keyType(blob);
  const key = blob.toString('base64');
  const entries = entriesFor(files, host, port);
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key === key);
  if (revoked) return { status: 'revoked', file: revoked.file, line: revoked.line };
  const plain = entries.filter((e) => !e.marker);
  if (plain.some((e) => e.type === type && e.key === key)) return { status: 'match' };
  const sameType = plain.find((e) => e.type === type);
  if (sameType) return { status: 'changed', file: sameType.file, line: sameType.line, knownFingerprint: fingerprint(Buffer.from(sameType.key, 'base64')) };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((e) => e.type))] };
}

/** Key types already trusted for a host, to ask the server for those first (as OpenSSH does). */
export function knownTypes(files: readonly string[], host: string, port: number): string[] {
  return [...new Set(entriesFor(files, host, port).filter((e) => !e.marker).map((e) => e.type))];
}

/** Records a key, hashed like `HashKnownHosts yes` writes it when `hashed`. */
export function appendKnownHost(file: string, host: string, port: number, blob: Buffer, hashed = false): void {
  const name = knownHostName(host, port);
  let field = name;
  if (hashed) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length && !text.endsWith('\n')) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${field} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
