import * as vscode from 'vscode';

/** Dispose every item, later ones first (what was registered last may depend on what came before). */
export function disposeAll(items: vscode.Disposable[]): void {
  while (items.length) items.pop()?.dispose();
}

/**
 * A base for objects that own disposables (VS Code's markdown-language-features `Disposable`): what a subclass
 * `_register`s is disposed with it, once.
 */
export abstract class Disposable implements vscode.Disposable {
  private disposed = false;
  private readonly owned: vscode.Disposable[] = [];

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned);
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.owned.push(d);
    return d;
  }
}
