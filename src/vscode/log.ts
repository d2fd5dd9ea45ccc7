import * as vscode from 'vscode';
import { Redactor } from '../core/security/redact';
import { Disposable } from './util/dispose';

/**
 * The Spark Edit log: the output channel plus the most recent lines (for the integration tests). Every line logged,
 * shown or stored that may carry server text goes through one redaction (known keys, Bearer/sk- tokens, URL
 * credentials).
 */
export class Log extends Disposable {
  private readonly out = this._register(vscode.window.createOutputChannel('Spark Edit', { log: true }));
  private readonly recent: string[] = [];
  readonly redactor = new Redactor();

  readonly log = (m: string): void => {
    m = this.redact(m);
    this.out.info(m);
    this.recent.push(m);
    if (this.recent.length > 500) this.recent.splice(0, 250);
  };

  readonly redact = (t: string): string => this.redactor.redact(t);

  lines(): string[] {
    return [...this.recent];
  }

  show(): void {
    this.out.show(true);
  }
}
