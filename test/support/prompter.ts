/** A Prompter for tests: answers from a script and records every question asked. */
import type { PromptField, Prompter } from '../../extension/src/ssh/types';

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  hostKeyAnswer = true;
  passphrases: (string | undefined)[] = [];
  codes: ((prompts: PromptField[]) => string[] | undefined)[] = [];
  passwords: (string | undefined)[] = [];
  seenPrompts: PromptField[] = [];

  async confirmHostKey(q: { target: string; keyType: string; fingerprint: string; knownTypes?: string[] }): Promise<boolean> {
    this.asked.push(`hostKey ${q.target} ${q.keyType} ${q.fingerprint}${q.knownTypes?.length ? ` (known with ${q.knownTypes.join(', ')})` : ''}`);
    return this.hostKeyAnswer;
  }

  async passphrase(q: { keyFile: string; retry: boolean }): Promise<string | undefined> {
    this.asked.push(`passphrase${q.retry ? ' (retry)' : ''}`);
    return this.passphrases.shift();
  }

  async keyboardInteractive(q: { prompts: PromptField[]; retry?: boolean; refused?: string[] }): Promise<string[] | undefined> {
    this.asked.push(`keyboard-interactive${q.retry ? ` (retry${q.refused && q.refused.length > 1 ? ` after ${q.refused.join(', ')}` : ''})` : ''} ${q.prompts.map((p) => JSON.stringify(p.prompt)).join(',')}`);
    this.seenPrompts.push(...q.prompts);
    const next = this.codes.shift();
    return next ? next(q.prompts) : undefined;
  }

  async password(): Promise<string | undefined> {
    this.asked.push('password');
    return this.passwords.shift();
  }
}
