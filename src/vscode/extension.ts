import * as vscode from 'vscode';
import { SparkEditApi, createApi } from './api';
import { ChatViewProvider } from './chat';
import { ChatApply } from './chatApply';
import { CommandManager } from './commandManager';
import { registerEditorProviders } from './editorProviders';
import { keyboundCommands, warmKeyCommands } from './util/keyCommands';
import { connectionCommands } from './commands/connectionCommands';
import { deepCommands } from './commands/deepCommands';
import { editCommands } from './commands/editCommands';
import { refactorCommands } from './commands/refactorCommands';
import { RenameCommand } from './commands/rename';
import { readSettings } from './config';
import { ModelConnections } from './connections';
import { ContentGate } from './contentGate';
import { Ctx } from './ctx';
import { DeepController } from './deep';
import { InlineEditController } from './inlineEdit';
import { Log } from './log';
import { SaveGuard } from './saveGuard';
import { EditSessions } from './sessions';
import { StatusBar } from './statusBar';
import { NextEditController } from './nextEdit';
import { PromptRecall } from './promptRecall';
import { InlinePrompt } from './inlinePrompt';
import { EarlyKeys } from './earlyKeys';
import { OpenDemoFileCommand } from './commands/walkthroughCommands';

export type { EditArgs } from './inlineEdit';
export type { DeepArgs } from './commands/deepCommands';
export type { HunkArgs } from './sessions';

export type { SparkEditApi } from './api';

/**
 * The composition root: it creates the services and registers the features, and nothing else. Each feature lives in
 * its own module (see the README's "How it works"); everything created here is disposed with the extension.
 */
export async function activate(context: vscode.ExtensionContext): Promise<SparkEditApi> {
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };

  const logs = own(new Log());
  const settings = readSettings();
  const ctx: Ctx = {
    extension: context,
    log: logs.log,
    redact: logs.redact,
    status: own(new StatusBar()),
    gate: own(new ContentGate(settings.ignoredFiles, logs.log)),
    settings,
  };

  const connections = own(new ModelConnections(ctx, logs));
  const sessions = own(new EditSessions(ctx));
  const deep = own(
    new DeepController(
      {
        connection: () => connections.deep,
        model: () => connections.deep?.model ?? connections.deepModel,
        log: ctx.log,
        allowed: (doc) => ctx.gate.allowed(doc, true),
        preview: (doc, startLine, oldLines, newLines, instruction, group) =>
          sessions.previewChange(doc, startLine, oldLines, newLines, instruction, group),
        newGroup: (label) => sessions.groups.create(label),
        policy: () => ctx.gate.policy,
        redact: ctx.redact,
      },
      settings.maxConcurrentJobs,
    ),
  );
  own(connections.onDidReadSettings((s) => deep.setMaxConcurrent(s.maxConcurrentJobs)));
  own(connections.onDidChangeModels((m) => ctx.status.setModels(m))); // issue 15: the status bar names the models in use

  const chatApply = new ChatApply(ctx, sessions);
  const chat = own(
    new ChatViewProvider(context, {
      model: (mode) => {
        const conn = mode === 'deep' ? connections.deep : connections.fast;
        return conn ? { transport: conn.transport, model: conn.model } : undefined;
      },
      models: () => connections.models(),
      onDidChangeModels: connections.onDidChangeModels,
      log: ctx.log,
      redact: ctx.redact,
      allowed: (doc) => ctx.gate.allowed(doc, true),
      apply: (code, language, path, editor) => chatApply.apply(code, language, path, editor),
    }),
  );
  own(
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
  );

  // Next-edit suggestions (issue 16): a socket of their own to the same fast model.
  const nextEdit = own(
    new NextEditController({
      log: ctx.log,
      allowed: (doc) => ctx.gate.allowed(doc, true),
      busy: (doc) => sessions.viewsFor(doc).length > 0,
    }),
  );
  own(connections.onDidSetFastModel((config) => nextEdit.setConfig(config)));
  connections.start();

  const saveGuard = own(new SaveGuard(ctx, sessions));
  // Issue 15: the instruction is asked for at the code (or in the picker: sparkEdit.promptStyle).
  const inlinePrompt = own(await InlinePrompt.create(context, ctx.log));
  own(new PromptRecall(inlinePrompt)); // ↑ / ↓ and completions in the box
  void EarlyKeys.enable(ctx.log).catch((e) => ctx.log(`prompt: ${String(e)}`));
  const edits = new InlineEditController(ctx, connections, sessions, deep, inlinePrompt);

  const commands = own(new CommandManager(context.extension.id));
  commands.register(
    ...editCommands(edits, sessions, inlinePrompt, ctx.log),
    ...deepCommands(ctx, connections, deep, edits),
    ...refactorCommands(edits, chat),
    new RenameCommand(ctx, sessions, edits),
    ...connectionCommands(ctx, connections, logs),
    new OpenDemoFileCommand(),
  );

  own(registerEditorProviders(sessions, deep)); // lenses, inlay controls, code actions, new-file previews

  sessions.updateContext();
  // The workbench runs the first press of each of our keys at once, not after a round trip (util/keyCommands.ts).
  void warmKeyCommands(keyboundCommands(context.extension), ctx.log);
  return createApi({ ctx, logs, connections, sessions, deep, chat, saveGuard, nextEdit });
}

export function deactivate() {
  /* everything is in context.subscriptions */
}
