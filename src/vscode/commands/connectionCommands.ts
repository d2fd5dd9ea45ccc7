import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { PRESETS, preset } from '../../core/providers';
import { userMessage } from '../../core/protocol/responses';
import { Command } from '../commandManager';
import { LEGACY_SECRET_KEY, secretKeyFor } from '../config';
import { ModelConnections } from '../connections';
import { Ctx } from '../ctx';
import { Log } from '../log';

/** Set API Key: stored per provider in SecretStorage (a reconnect follows from the secret's change). */
class SetApiKeyCommand implements Command {
  readonly id = 'sparkEdit.setApiKey';
  constructor(private readonly ctx: Ctx) {}

  async execute(args?: { provider?: string; key?: string }) {
    const { settings } = this.ctx;
    const current = settings.fast.provider;
    const providerId =
      args?.provider ??
      (
        await vscode.window.showQuickPick(
          PRESETS.filter((p) => p.keyRequired || p.id === 'openai-compatible').map((p) => ({
            label: p.label,
            description: p.id === current ? 'fast model' : p.id === settings.deep.provider ? 'deep model' : undefined,
            id: p.id,
          })),
          { title: 'Spark Edit: API key for which provider?' },
        )
      )?.id;
    if (!providerId) return;
    const key =
      args?.key ??
      (await vscode.window.showInputBox({
        title: `Spark Edit: API Key (${preset(providerId).label})`,
        prompt: 'Stored in VS Code SecretStorage, never in settings or logs.',
        password: true,
        ignoreFocusOut: true,
      }));
    if (key === undefined) return;
    if (key.trim()) await this.ctx.extension.secrets.store(secretKeyFor(providerId), key.trim());
    if (!args?.key)
      void vscode.window.showInformationMessage(
        `Spark Edit: API key for ${preset(providerId).label} saved in SecretStorage.`,
      );
  }
}

class ClearApiKeyCommand implements Command {
  readonly id = 'sparkEdit.clearApiKey';
  constructor(private readonly ctx: Ctx) {}
  async execute() {
    for (const p of PRESETS) await this.ctx.extension.secrets.delete(secretKeyFor(p.id));
    await this.ctx.extension.secrets.delete(LEGACY_SECRET_KEY);
    void vscode.window.showInformationMessage('Spark Edit: API keys removed.');
  }
}

/** Test Connection: a tiny request to the fast (and deep) model, with its latency. */
class TestConnectionCommand implements Command {
  readonly id = 'sparkEdit.testConnection';
  constructor(
    private readonly ctx: Ctx,
    private readonly connections: ModelConnections,
  ) {}

  async execute(args?: { quiet?: boolean }) {
    const lines = await this.test();
    for (const l of lines) this.ctx.log(`test connection: ${l}`);
    if (!args?.quiet) {
      const failed = lines.some((l) => /FAILED|not configured/.test(l));
      void (failed ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(
        `Spark Edit: ${lines.join(' · ')}`,
      );
    }
    return lines;
  }

  private async test(): Promise<string[]> {
    const c = this.connections;
    await c.ready();
    const out: string[] = [];
    for (const [name, conn, problem] of [
      ['fast', c.fast, c.configProblem],
      ['deep', c.deep, c.deepProblem],
    ] as const) {
      if (!conn) {
        out.push(`${name}: not configured — ${problem ?? 'no connection'}`);
        continue;
      }
      const t0 = performance.now();
      try {
        const r = await conn.transport.stream(
          {
            model: conn.model,
            instructions: 'Reply with the single word OK.',
            input: [userMessage('ping')],
            maxOutputTokens: 16,
          },
          { onDelta: () => undefined },
        ).done;
        const first =
          r.stats.firstTokenAt !== undefined ? `${(r.stats.firstTokenAt - t0).toFixed(0)} ms to first token, ` : '';
        out.push(`${name}: OK — ${first}${(performance.now() - t0).toFixed(0)} ms in all (${conn.describe})`);
      } catch (e) {
        out.push(this.ctx.redact(`${name}: FAILED — ${(e as Error).message} (${conn.describe})`));
      }
    }
    return out;
  }
}

class ShowLogCommand implements Command {
  readonly id = 'sparkEdit.showLog';
  constructor(private readonly logs: Log) {}
  execute() {
    this.logs.show();
  }
}

class ReconnectCommand implements Command {
  readonly id = 'sparkEdit.reconnect';
  constructor(private readonly connections: ModelConnections) {}
  execute() {
    return this.connections.connect();
  }
}

/** Key management, Test Connection, Reconnect and Show Log. */
export function connectionCommands(ctx: Ctx, connections: ModelConnections, logs: Log): Command[] {
  return [
    new SetApiKeyCommand(ctx),
    new ClearApiKeyCommand(ctx),
    new TestConnectionCommand(ctx, connections),
    new ShowLogCommand(logs),
    new ReconnectCommand(connections),
  ];
}
