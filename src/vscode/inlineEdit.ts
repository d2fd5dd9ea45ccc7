import * as vscode from 'vscode';
import { chooseFormat } from '../core/targeted/prompt';
import { fileScope } from './targeted';
import { InlinePrompt, PromptTarget } from './inlinePrompt';
import { readEditFormat } from './config';
import { performance } from 'node:perf_hooks';
import { CommandKind, route } from '../core/deep/router';
import { InputMessage, userMessage } from '../core/protocol/responses';
import { EDIT_INSTRUCTIONS, EditPromptInput, editContextPrompt } from '../core/prompt';
import { ModelConnections } from './connections';
import { Ctx } from './ctx';
import { DeepController } from './deep';
import { targetLines } from './editTargets';
import { EditSessions } from './sessions';
import { TypingLock } from './typingLock';
import { EarlyKeys } from './earlyKeys';

export interface EditArgs {
  instruction?: string;
  mode?: 'fast' | 'deep';
  /** Edit these lines (inclusive) instead of the selection. */
  lines?: { start: number; end: number };
  /** Extra files for a deep request (e.g. the test file of Add Tests). */
  files?: vscode.Uri[];
  command?: CommandKind;
  /** Asks for the instruction when none is given (default: the input box); callers in this extension host only. */
  ask?: () => Thenable<string | undefined>;
  /** Edit the whole file (as "/file …" in the instruction does). */
  wholeFile?: boolean;
  /** The Ctrl+I keybinding made the code read-only before this command ran (TypingLock). */
  typingLocked?: boolean;
}

type Warmup = { context: InputMessage; id: Promise<string | undefined> };

/**
 * Starts inline edits: asks for the instruction (sending the code ahead on the warm socket meanwhile), checks the
 * content policy, routes to the fast or the deep model, and opens the pending edit's preview.
 */
export class InlineEditController {
  constructor(
    private readonly ctx: Ctx,
    private readonly connections: ModelConnections,
    private readonly sessions: EditSessions,
    private readonly deep: DeepController,
    private readonly prompt: InlinePrompt,
  ) {}

  async start(args?: EditArgs): Promise<{ sessionId?: number; jobId?: number } | undefined> {
    const { ctx } = this;
    let t0 = performance.now();
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      if (args?.typingLocked) await TypingLock.lift(); // the keybinding locked the active editor tab
      void vscode.window.showInformationMessage('Spark Edit: open a file and select code to edit.');
      return;
    }
    const doc = editor.document;
    let instruction = args?.instruction;
    // Keys typed before the box has the keyboard are held for it (EarlyKeys), first: the lock already refuses them.
    const keys = instruction === undefined && !args?.ask ? EarlyKeys.start(doc, ctx.log) : undefined;
    // Nothing typed while the box opens reaches the code (TypingLock); lifted before any edit.
    const lock =
      instruction === undefined || args?.typingLocked
        ? await TypingLock.take(editor, !!args?.typingLocked, ctx.log)
        : undefined;
    let startLine: number;
    let endLine: number;
    let warmup: Warmup | undefined;
    let released: Promise<void> | undefined;
    const picker = new PromptClose();
    try {
      const noSelection = editor.selection.isEmpty && !args?.lines;
      ({ start: startLine, end: endLine } = args?.lines ?? (await targetLines(editor)));
      if (instruction === undefined) {
        warmup = this.prewarm(doc, startLine, endLine);
        const selections = collapse(editor);
        const beforeClose = async (sent: boolean) => {
          // Sent: keys typed from now on go to the code (toCode). Cancelled: the box's are dropped.
          if (sent) keys?.toCode();
          else keys?.dispose(true);
          // Cancelled: the selection as it was. Either way the code takes typing again before the box closes.
          if (!sent && !editor.document.isClosed && editor.selections.every((s) => s.isEmpty))
            editor.selections = selections;
          await lock?.release();
        };
        const onFocused = () => void lock?.release(true); // the keys go to the box now
        const hooks = { beforeClose, onFocused, keys, closeLater: picker.later };
        instruction = await this.ask(editor, startLine, endLine, args, noSelection, hooks);
        if (!instruction?.trim() && editor.selections.every((s) => s.isEmpty)) editor.selections = selections;
        t0 = performance.now(); // time starts when the user confirms, not while they type
      }
    } finally {
      keys?.done();
      // Not awaited (a round trip to the workbench, ~15 ms): the request goes out meanwhile, and the first document
      // edit waits for it (SessionView.gateFirstEdit below); every other way out of here awaits it first.
      released = lock?.release();
    }
    try {
      return await this.send(editor, instruction, { startLine, endLine, args, t0, warmup, released, picker });
    } finally {
      this.prompt.takeSent(doc); // (whatever way out: Esc no longer is for it)
    }
  }

  /** The instruction is known: a fast edit in the preview, or a deep job. */
  private async send(
    editor: vscode.TextEditor,
    instruction: string | undefined,
    o: {
      startLine: number;
      endLine: number;
      args?: EditArgs;
      t0: number;
      warmup?: Warmup;
      released?: Promise<void>;
      picker: PromptClose;
    },
  ): Promise<{ sessionId?: number; jobId?: number } | undefined> {
    const { ctx, connections } = this;
    const { args, t0, warmup, released, picker } = o;
    let { startLine, endLine } = o;
    const doc = editor.document;
    // Esc after Enter, before the edit started (the box's instruction was sent: InlinePrompt.escapeSent).
    const escaped = () => this.prompt.takeSent(doc);
    if (!instruction?.trim() || !ctx.gate.allowed(doc)) {
      picker.hunk();
      await released;
      return;
    }
    // Targeted edits (issue 14): "/file …" edits the whole file; large scopes ask for targeted blocks.
    const scope = fileScope(instruction);
    const wholeFile = scope.wholeFile || args?.wholeFile === true;
    if (wholeFile) {
      instruction = scope.instruction;
      startLine = 0;
      endLine = doc.lineCount - 1;
    }
    const format = chooseFormat(readEditFormat(), endLine - startLine + 1, wholeFile);
    const r = await this.route(doc, startLine, endLine, instruction, args, format === 'targeted');
    if (r.mode === 'deep') {
      picker.hunk();
      if (!(await connections.deepReady())) return;
      await released;
      if (escaped()) return;
      const job = this.deep.start({
        instruction: r.instruction,
        files: [doc.uri, ...r.others],
        focus: { uri: doc.uri, startLine, endLine },
        showAdded: args?.command === 'tests', // the new test file's preview in front (issue 15)
      });
      return { jobId: job.id };
    }
    if (!(await this.mayStartFast(doc, startLine, endLine))) return;
    const { original, prompt } = this.editContext(doc, startLine, endLine);
    // The warm-up counts only if it sent exactly this context (the document may have changed meanwhile).
    const context = userMessage(editContextPrompt(prompt));
    const warmId = warmup && warmup.context.content[0].text === context.content[0].text ? await warmup.id : undefined;
    if (warmup && !warmId)
      ctx.log('the warm-up was not used (the code changed, or it failed): the whole prompt is sent');
    if (escaped()) {
      picker.hunk();
      await released;
      return;
    }
    const view = this.sessions.create(
      doc,
      startLine,
      original,
      { ...prompt, instruction: r.instruction, format },
      connections.fast!.model,
      connections.fast!.transport,
      t0,
      warmId ? { responseId: warmId, context } : undefined,
    );
    view.gateFirstEdit(released); // synchronously after the request started: no token can have arrived yet
    view.withFirstEditOut(picker.out); // the box's keyboard goes back right behind the first edit (PICKER_CLOSE_MS)
    view.withFirstEdit(picker.now); // the picker closes once the first edit landed (at most PICKER_CLOSE_MS later)
    view.withFirstHunk(picker.hunk); // the box at the code once the first hunk's controls have (BOX_CLOSE_MS)
    // …or at once when the answer ends without one (declined, unchanged, failed): nothing to wait for.
    void view.session.whenSettled().then(picker.hunk, picker.hunk);
    // The selection collapses to its start (the top of the edit, where its lenses are) once the instruction is
    // submitted: it would grow over the preview and muddy its colours.
    if (!editor.selection.isEmpty && editor.document === doc)
      editor.selection = new vscode.Selection(editor.selection.start, editor.selection.start);
    return { sessionId: view.session.id };
  }

  /** Runs `f` once the inline edit `sessionId` has ended (accepted or rejected); false if there is no such edit. */
  whenEnded(sessionId: number, f: () => void): boolean {
    const v = this.sessions.viewFromArgs({ sessionId });
    if (!v || v.isEnded) return false;
    const sub = v.onDidEnd(() => {
      sub.dispose();
      f();
    });
    return true;
  }

  /** The instruction: from the caller, else the box at the code (or the picker: `sparkEdit.promptStyle`). */
  private ask(
    editor: vscode.TextEditor,
    startLine: number,
    endLine: number,
    args: EditArgs | undefined,
    noSelection: boolean,
    hooks: Pick<PromptTarget, 'beforeClose' | 'onFocused' | 'keys' | 'closeLater'>,
  ): Thenable<string | undefined> {
    const style = vscode.workspace.getConfiguration('sparkEdit').get<'inline' | 'quickInput'>('promptStyle', 'inline');
    const asked =
      args?.ask?.() ??
      this.prompt.ask(
        {
          editor,
          startLine,
          endLine,
          deep: args?.mode === 'deep',
          noSelection,
          ...hooks,
        },
        style,
      );
    return asked.then((t) => {
      if (t?.trim()) this.ctx.log(`prompt: sent ${JSON.stringify(t)}`); // what the model is asked (browser steps)
      return t;
    });
  }

  /** Fast or deep, and the other files the request takes along. */
  private async route(
    doc: vscode.TextDocument,
    startLine: number,
    endLine: number,
    instruction: string,
    args: EditArgs | undefined,
    targeted: boolean,
  ) {
    const { settings } = this.ctx;
    const lines = endLine - startLine + 1;
    const contextChars = Math.min(doc.getText().length, (lines + 2 * settings.contextLines) * 80);
    const others = [...(args?.files ?? []), ...(await this.mentionedFiles(instruction, doc.uri))];
    const r = route(
      {
        instruction,
        explicit: args?.mode,
        selectionLines: lines,
        contextChars,
        mentionedFiles: others.length,
        command: args?.command,
        targeted,
      },
      settings.rules,
    );
    this.ctx.log(`route: ${r.mode} — ${r.reasons.join('; ')}`);
    return { ...r, others };
  }

  /** No overlap with a pending edit, within the size limit, and a fast model connected; says why not otherwise. */
  private async mayStartFast(doc: vscode.TextDocument, startLine: number, endLine: number): Promise<boolean> {
    const { ctx, connections } = this;
    const lines = endLine - startLine + 1;
    const overlapping = this.sessions
      .viewsFor(doc)
      .find((v) => startLine < v.region.endLine && endLine >= v.region.startLine);
    if (overlapping) {
      void vscode.window.showWarningMessage(
        'Spark Edit: this code already has a pending edit. Accept or reject it first.',
      );
      return false;
    }
    if (lines > ctx.settings.maxSelectionLines) {
      void vscode.window.showWarningMessage(
        `Spark Edit: the selection has ${lines} lines; the limit is ${ctx.settings.maxSelectionLines} ("sparkEdit.maxSelectionLines").`,
      );
      return false;
    }
    await connections.ready();
    if (connections.configProblem || !connections.fast) {
      void vscode.window
        .showErrorMessage(
          ctx.redact(`Spark Edit: ${connections.configProblem ?? 'no model connection'} Open settings to fix it.`),
          'Open Settings',
        )
        .then((c) => {
          if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit');
        });
      return false;
    }
    return true;
  }

  /** Workspace files the instruction names (e.g. "also update utils.ts"), besides `except`. */
  private async mentionedFiles(instruction: string, except: vscode.Uri): Promise<vscode.Uri[]> {
    const names = [
      ...new Set(
        instruction.match(
          /[\w./-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|cs|cpp|cc|c|h|hpp|rb|php|swift|json|md|css|scss|html|vue|svelte)\b/g,
        ) ?? [],
      ),
    ];
    const out: vscode.Uri[] = [];
    for (const n of names.slice(0, 10)) {
      const found = await vscode.workspace.findFiles(`**/${n.replace(/^\.\//, '')}`, '**/node_modules/**', 2);
      for (const u of found)
        if (
          u.toString() !== except.toString() &&
          !out.some((o) => o.toString() === u.toString()) &&
          !this.ctx.gate.policy.ignored(vscode.workspace.asRelativePath(u, false))
        )
          out.push(u);
    }
    return out;
  }

  /** The code to edit and its surroundings, as the prompt sends them. */
  private editContext(
    doc: vscode.TextDocument,
    startLine: number,
    endLine: number,
  ): { original: string[]; prompt: Omit<EditPromptInput, 'instruction'> } {
    const ctx = this.ctx.settings.contextLines;
    const original: string[] = [];
    for (let i = startLine; i <= endLine; i++) original.push(doc.lineAt(i).text);
    const before: string[] = [];
    const after: string[] = [];
    for (let i = Math.max(0, startLine - ctx); i < startLine; i++) before.push(doc.lineAt(i).text);
    for (let i = endLine + 1; i < Math.min(doc.lineCount, endLine + 1 + ctx); i++) after.push(doc.lineAt(i).text);
    return {
      original,
      prompt: {
        code: original.join('\n'),
        fileName: vscode.workspace.asRelativePath(doc.uri),
        languageId: doc.languageId,
        before: before.join('\n') || undefined,
        after: after.join('\n') || undefined,
      },
    };
  }

  /**
   * While the user types the instruction, send the code ahead on the warm socket (`generate: false`): the model
   * reads it now, and the edit then sends only the instruction, chained to it. Only where the code may be sent
   * at all (ignored files, untrusted workspaces never), on a Responses socket that is open.
   */
  private prewarm(doc: vscode.TextDocument, startLine: number, endLine: number): Warmup | undefined {
    const { ctx, connections } = this;
    const socket = connections.fast?.socket;
    if (
      !ctx.settings.prewarm ||
      !socket ||
      socket.state !== 'warm' ||
      connections.fast?.fallback?.socketDisabled ||
      connections.configProblem
    )
      return undefined;
    if (endLine - startLine + 1 > ctx.settings.maxSelectionLines || !ctx.gate.allowed(doc, true)) return undefined;
    const context = userMessage(editContextPrompt(this.editContext(doc, startLine, endLine).prompt));
    const id = socket.prewarm({ model: connections.fast!.model, instructions: EDIT_INSTRUCTIONS, input: [context] });
    void id.then((r) =>
      ctx.log(r ? `warm-up sent the code ahead (${r})` : 'the warm-up failed; the edit will send everything'),
    );
    return { context, id };
  }
}

/**
 * At Ctrl+I the selection collapses to its start (the lines to edit are kept): the box, not the code, is where the
 * instruction goes. Returns the selections as they were (put back when the box is cancelled).
 */
function collapse(editor: vscode.TextEditor): readonly vscode.Selection[] {
  const before = editor.selections;
  if (!editor.selection.isEmpty)
    editor.selection = new vscode.Selection(editor.selection.start, editor.selection.start);
  return before;
}

/**
 * Issue 17: Enter in the picker closes it once the first document edit has landed (closed at Enter, the renderer
 * spent its frames on the picker's blur, focus and layout while the edit waited behind them; closed in the edit's
 * message batch, the workbench answered the edit only after that work, round 10). Never later than PICKER_CLOSE_MS
 * after Enter (a model slow to answer, an error, a path with no edit).
 */
const PICKER_CLOSE_MS = 30;
/**
 * The box at the code goes once the first hunk's controls have landed (the keyboard is back in the code already, at
 * the first edit or PICKER_CLOSE_MS: InlinePrompt.finish): its zone leaving is work for the workbench, and done at the first edit the title's ✓
 * waited behind it (--frames, session 15). Never later than BOX_CLOSE_MS after Enter.
 */
const BOX_CLOSE_MS = 150;
/** One close waiting for its moment, or for its time limit (`timer`), whichever comes first; run once. */
class WaitingClose {
  private run: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  set(run: () => void, timer: NodeJS.Timeout) {
    this.run = run;
    this.timer = timer;
  }
  fire() {
    clearTimeout(this.timer);
    const r = this.run;
    this.run = undefined;
    r?.();
  }
}
class PromptClose {
  private readonly atOut = new WaitingClose();
  private readonly atEdit = new WaitingClose();
  private readonly atHunk = new WaitingClose();
  /**
   * `close` once the first edit has landed ('edit': the picker), right behind the first edit, in the tick it is sent
   * ('out': the box's keyboard), or once the first hunk's controls have landed ('hunk': the box).
   */
  readonly later = (close: () => void, when: 'edit' | 'out' | 'hunk' = 'edit') => {
    if (when === 'hunk') this.atHunk.set(close, setTimeout(this.hunk, BOX_CLOSE_MS));
    else if (when === 'out') this.atOut.set(close, setTimeout(this.out, PICKER_CLOSE_MS));
    else this.atEdit.set(close, setTimeout(this.now, PICKER_CLOSE_MS));
  };
  /** The first edit is on its way (or there will be none). */
  readonly out = () => this.atOut.fire();
  /** The first edit has landed. */
  readonly now = () => {
    this.out();
    this.atEdit.fire();
  };
  /** The first hunk's controls have landed, or there will be none: everything closes now. */
  readonly hunk = () => {
    this.now();
    this.atHunk.fire();
  };
}
