import * as vscode from 'vscode';
import { ConnectionState } from '../core/transport/types';
import { EditStats } from '../core/session/editSession';
import { ModelsInUse, modelDetails, statusModels } from '../core/modelLabels';

/**
 * Connection state (warm / connecting / offline), the models in use for fast and deep (from the live connections,
 * see ModelConnections.onDidChangeModels) and the last edit's time to first token and tokens/s.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sparkEdit.status', vscode.StatusBarAlignment.Right, 100);
  private state: ConnectionState = 'idle';
  private models: ModelsInUse | undefined;
  private stats: EditStats | undefined;
  private detail = '';
  private wire = '';

  constructor() {
    this.item.name = 'Spark Edit';
    this.item.command = 'sparkEdit.showLog';
    this.render();
    this.item.show();
  }

  /** `wire`: shown when the connection is not the warm WebSocket (e.g. 'HTTP' after the fallback switched it off). */
  setConnection(state: ConnectionState, detail = '', wire = '') {
    this.state = state;
    this.detail = detail;
    this.wire = wire;
    this.render();
  }
  setModels(m: ModelsInUse) {
    this.models = m;
    this.render();
  }
  setStats(s: EditStats) {
    this.stats = s;
    this.render();
  }

  /** What the item shows (for the tests). */
  get text(): string {
    return this.item.text;
  }
  get tooltipText(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
  }

  private render() {
    const icon = {
      idle: '$(circle-outline)',
      connecting: '$(sync~spin)',
      warm: '$(zap)',
      offline: '$(debug-disconnect)',
      disposed: '$(circle-slash)',
    }[this.state];
    const label =
      this.wire && this.state === 'warm'
        ? `ready (${this.wire})`
        : { idle: 'idle', connecting: 'connecting', warm: 'warm', offline: 'offline', disposed: 'off' }[this.state];
    const m = this.models;
    let text = `${icon} Spark${m ? ` (${statusModels(m)})` : ''}: ${label}`;
    const s = this.stats;
    if (s?.ttftMs !== undefined) text += ` · ${Math.round(s.ttftMs)} ms`;
    if (s?.tokensPerSecond !== undefined) text += ` · ${Math.round(s.tokensPerSecond)} tok/s`;
    this.item.text = text;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Spark Edit** — connection **${label}**\n\n`);
    for (const l of m ? modelDetails(m) : []) md.appendMarkdown(`${esc(l)}\n\n`);
    if (m?.fast.demo) md.appendMarkdown('No API key: run *Spark Edit: Set API Key* to use a real model.\n\n');
    if (this.detail) md.appendMarkdown(`${esc(this.detail)}\n\n`);
    if (s) {
      md.appendMarkdown(
        `Last edit: first byte sent after ${fmt(s.sendLatencyMs)} ms, first token after ${fmt(s.ttftMs)} ms, ` +
          `${s.tokensPerSecond !== undefined ? Math.round(s.tokensPerSecond) : '–'} tokens/s, ${s.warm ? 'warm' : 'cold'} socket.`,
      );
    }
    this.item.tooltip = md;
    this.item.backgroundColor =
      this.state === 'offline' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose() {
    this.item.dispose();
  }
}

const fmt = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(1));
/** Plain text in the Markdown tooltip: a model id, a URL or a server's message makes no link, image or emphasis. */
const esc = (t: string) => t.replace(/[\\`*_[\]<>!]/g, '\\$&');
