/**
 * Plain ssh2 connections to the lab for tests that check the lab itself. The product's own SSH
 * layer is tested separately; this helper stays minimal on purpose.
 */
import { readFileSync } from 'node:fs';
import { Client, type ConnectConfig } from 'ssh2';
import type { LabFacts } from './lab';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export function hostKeyOf(pubFile: string): Buffer {
  return Buffer.from(readFileSync(pubFile, 'utf8').trim().split(/\s+/)[1]!, 'base64');
}

export function labConfig(lab: LabFacts, server: 'ssh' | 'totp'): ConnectConfig {
  const expected = hostKeyOf(lab[server].hostKey);
  return {
    host: lab.host,
    port: lab[server].port,
    username: lab.user,
    privateKey: readFileSync(lab.keys.private),
    hostVerifier: (key: Buffer) => key.equals(expected),
    readyTimeout: 15_000,
  };
}

/** Connects; `answer` replies to keyboard-interactive prompts (the one-time code). */
export function connect(config: ConnectConfig, answer?: (prompts: string[]) => string[]): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      finish(answer ? answer(prompts.map((p) => p.prompt)) : []);
    });
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({ ...config, tryKeyboard: answer !== undefined });
  });
}

export function exec(client: Client, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | null = null;
      channel.on('data', (d: Buffer) => out.push(d));
      channel.stderr.on('data', (d: Buffer) => errOut.push(d));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString(), code }));
      if (stdin !== undefined) channel.end(stdin);
      else channel.end();
    });
  });
}
