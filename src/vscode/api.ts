import * as vscode from 'vscode';
import { ResponsesSocketTransport } from '../core/transport/responsesSocket';
import { Connection } from '../core/providers';
import { ModelsInUse } from '../core/modelLabels';
import { ChatViewProvider } from './chat';
import { Settings } from './config';
import { ModelConnections } from './connections';
import { Ctx } from './ctx';
import { DeepController } from './deep';
import { Log } from './log';
import { NextEditController } from './nextEdit';
import { SentDecorations, SessionView, sentDecorations } from './preview';
import { SaveGuard } from './saveGuard';
import { EditSessions } from './sessions';
import { BeforeOwnEdit, setBeforeOwnEdit } from './util/ownEdits';

/** What `activate` returns: used by the integration tests (and by anyone scripting Spark Edit). */
export interface SparkEditApi {
  /** The fast model's warm socket, when its wire has one. */
  transport(): ResponsesSocketTransport | undefined;
  connection(): Connection | undefined;
  deepConnection(): Connection | undefined;
  deep(): DeepController;
  chat(): ChatViewProvider;
  /** The most recent lines of the Spark Edit log. */
  logLines(): string[];
  ready(): Promise<void>;
  sessions(): SessionView[];
  session(id: number): SessionView | undefined;
  /**
   * Resolves once the previews a save of `doc` set aside are shown again (at once when none are). `save()` resolves
   * before that: VS Code gives extensions no way to hold it until the onDidSave listeners are done.
   */
  whenShownAgain(doc: vscode.TextDocument): Promise<void>;
  /** Saves during undo/redo walks (issue 11, HB): waited for the walk, outlasted by it, written again after it. */
  saveStats(): {
    waitedForWalk: number;
    outlasted: number;
    writtenAgain: number;
    cleanButNotOnDisk: number;
    toldNotWritten: number;
    overBudget: number;
  };
  /** Undo/redo (issue 11): the guard or a save is still moving `doc` (a walk through a stream's steps is not done). */
  undoBusy(doc: vscode.TextDocument): boolean;
  endpoint(): string;
  usingDemoModel(): boolean;
  /** Next-edit suggestions (issue 16). */
  nextEdit(): NextEditController;
  /** The models in use for fast and deep (what the status bar and the chat badge show). */
  models(): ModelsInUse;
  /** How many reconnects have run since activation. */
  reconnects(): number;
  /** The demo model's speed in tokens/s, while the demo server runs. */
  demoTokensPerSecond(): number | undefined;
  /** The settings in effect (re-read live; see RECONNECT_SETTINGS). */
  settings(): Settings;
  /** The status bar item's text and tooltip. */
  statusBar(): { text: string; tooltip: string };
  /** The pending multi-file operation's status bar text (issue 11; hidden when there is none). */
  groupStatus(): string;
  /** The value Spark Edit last set for a context key (`sparkEdit.hasPending`, `sparkEdit.streaming`, …). */
  contextKey(key: string): boolean | undefined;
  /** The preview decorations Spark Edit last sent to `doc`'s editors (issue 11: removed rows never drawn bare). */
  decorationsSent(doc: vscode.TextDocument): SentDecorations | undefined;
  /** Tests only (issue 11, HA): run `hook` right before each of Spark Edit's own edits is sent (util/ownEdits.ts). */
  beforeOwnEdit(hook: BeforeOwnEdit | undefined): void;
}

/** The services `activate` created, as the API reads them. */
export interface ApiParts {
  ctx: Ctx;
  logs: Log;
  connections: ModelConnections;
  sessions: EditSessions;
  deep: DeepController;
  chat: ChatViewProvider;
  saveGuard: SaveGuard;
  nextEdit: NextEditController;
}

/** The API over the live services (every call reads them now, so it follows reconnects and live settings). */
export function createApi(p: ApiParts): SparkEditApi {
  const { ctx, logs, connections, sessions, deep, chat, saveGuard, nextEdit } = p;
  return {
    transport: () => connections.fast?.socket,
    connection: () => connections.fast,
    deepConnection: () => connections.deep,
    deep: () => deep,
    chat: () => chat,
    logLines: () => logs.lines(),
    ready: () => connections.ready(),
    sessions: () => sessions.all(),
    session: (id) => sessions.get(id),
    whenShownAgain: (doc) => saveGuard.whenShownAgain(doc),
    saveStats: () => ({ ...saveGuard.stats }), // issue 11 (HB)
    undoBusy: (doc) => sessions.undoBusy(doc), // issue 11
    endpoint: () => connections.endpoint,
    usingDemoModel: () => connections.usingDemo,
    nextEdit: () => nextEdit,
    models: () => connections.models(),
    reconnects: () => connections.reconnects,
    demoTokensPerSecond: () => connections.demo?.defaultTokensPerSecond,
    settings: () => ctx.settings,
    statusBar: () => ({ text: ctx.status.text, tooltip: ctx.status.tooltipText }),
    groupStatus: () => sessions.groups.statusText,
    contextKey: (k) => sessions.contextValue(k),
    decorationsSent: (doc) => sentDecorations(doc),
    beforeOwnEdit: (hook) => setBeforeOwnEdit(hook),
  };
}
