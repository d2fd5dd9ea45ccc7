import * as vscode from 'vscode';
import { Settings } from './config';
import { ContentGate } from './contentGate';
import { StatusBar } from './statusBar';

/**
 * What every feature shares (rust-analyzer's `Ctx`): the extension context, the log, the status bar, the content
 * gate and the settings in effect. Features get it (and the services they use) through their constructors; there
 * are no module globals.
 */
export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  /** Logs a line (redacted) to the Spark Edit output channel. */
  readonly log: (m: string) => void;
  /** Scrubs keys and credentials from text that may carry server output. */
  readonly redact: (t: string) => string;
  readonly status: StatusBar;
  readonly gate: ContentGate;
  /** The settings read at the last (re)connect. */
  settings: Settings;
}
