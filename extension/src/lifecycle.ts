import * as vscode from 'vscode';

/**
 * Base for everything that holds resources: what it registers is disposed with it, in reverse
 * order. Nothing returned by a `vscode.*.register*` call is dropped on the floor.
 */
export class Disposable implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) {
      d.dispose();
    } else {
      this.disposables.push(d);
    }
    return d;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length) {
      try {
        this.disposables.pop()!.dispose();
      } catch {
        // one failing dispose must not keep the rest alive
      }
    }
  }
}
