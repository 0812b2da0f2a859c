import * as vscode from 'vscode';
import type { PromptField, Prompter } from '../ssh/types';

/**
 * The SSH layer's questions as VS Code input boxes: each prompt shows the server's own text, a
 * prompt without echo is a password box. A passphrase is remembered only when the user turned
 * hpcGeo.ssh.rememberPassphrases on, only in VS Code's SecretStorage, and only once it decrypted
 * its key and the login succeeded.
 */
const passphraseId = (keyFile: string) => `hpcGeo.passphrase:${keyFile}`;

/** `ssh-ed25519` → ED25519, `ecdsa-sha2-nistp256` → ECDSA, as OpenSSH's prompts name them. */
function typeName(keyType: string): string {
  return keyType.startsWith('ecdsa-') ? 'ECDSA' : keyType.replace(/^ssh-/, '').toUpperCase();
}

export class VsCodePrompter implements Prompter {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly remember: () => boolean,
  ) {}

  async confirmHostKey(q: { target: string; keyType: string; fingerprint: string; knownHostsFile: string; knownTypes?: string[] }): Promise<boolean> {
    const type = typeName(q.keyType);
    const other = q.knownTypes?.length
      ? `WARNING: ${q.target} is known with another key type (${q.knownTypes.map(typeName).join(', ')}), but now presents ${type}. The server may have been reconfigured, or someone may be intercepting the connection.\n\n`
      : '';
    const answer = await vscode.window.showWarningMessage(
      other ? `The host key type of ${q.target} is not the one known.` : `The authenticity of host ${q.target} can't be established.`,
      { modal: true, detail: `${other}${type} key fingerprint is ${q.fingerprint}.\n\nCompare it with the fingerprint your cluster publishes. Connecting adds the key to ${q.knownHostsFile}.` },
      'Connect and Remember Key',
    );
    return answer === 'Connect and Remember Key';
  }

  async storedPassphrase(q: { keyFile: string }): Promise<string | undefined> {
    return this.remember() ? await this.secrets.get(passphraseId(q.keyFile)) : undefined;
  }

  async passphrase(q: { target: string; keyFile: string; retry: boolean }): Promise<string | undefined> {
    const id = passphraseId(q.keyFile);
    if (!q.retry) {
      const stored = await this.storedPassphrase(q);
      if (stored) return stored;
    }
    if (q.retry) await this.secrets.delete(id);
    const value = await vscode.window.showInputBox({
      title: `Connecting to ${q.target}`,
      prompt: `${q.retry ? 'Wrong passphrase. ' : ''}Passphrase for ${q.keyFile}`,
      password: true,
      ignoreFocusOut: true,
    });
    return value;
  }

  async passphraseAccepted(q: { keyFile: string; passphrase: string }): Promise<void> {
    if (this.remember()) await this.secrets.store(passphraseId(q.keyFile), q.passphrase);
  }

  async keyboardInteractive(q: { target: string; name: string; instructions: string; prompts: PromptField[]; retry?: boolean; refused?: string[] }): Promise<string[] | undefined> {
    const answers: string[] = [];
    for (const p of q.prompts) {
      const value = await vscode.window.showInputBox({
        title: `Connecting to ${q.target}${q.name ? `: ${q.name}` : ''}`,
        prompt: [q.retry ? notAccepted(q.refused) : '', q.instructions, p.prompt].filter(Boolean).join(' '),
        password: !p.echo,
        ignoreFocusOut: true,
      });
      if (value === undefined) return undefined;
      answers.push(value);
    }
    return answers;
  }

  password(q: { target: string; retry: boolean }): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInputBox({ title: `Connecting to ${q.target}`, prompt: `${q.retry ? 'Wrong password. ' : ''}Password`, password: true, ignoreFocusOut: true }));
  }
}

/** What a retried login says first: which answers were refused when it was more than this one ("the Verification code or the Password"). */
export function notAccepted(refused: readonly string[] | undefined): string {
  const names = [...new Set(refused ?? [])];
  if (names.length < 2) return 'Not accepted; try again.';
  return `Not accepted: the ${names.slice(0, -1).join(', the ')} or the ${names.at(-1)} was wrong; try again.`;
}
