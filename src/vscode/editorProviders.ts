import * as vscode from 'vscode';
import { SparkCodeActions } from './codeActions';
import { PendingEditLenses } from './codeLens';
import { PendingEditInlayControls } from './inlayControls';
import { NEW_FILE_SCHEME } from './newFilePreviews';
import type { EditSessions } from './sessions';
import type { DeepController } from './deep';

/** What the editor asks Spark Edit for: the deep jobs' new-file previews, the lenses, the inlay controls, the code actions. */
export function registerEditorProviders(sessions: EditSessions, deep: DeepController): vscode.Disposable {
  const lenses = new PendingEditLenses(sessions, deep.newFiles);
  return vscode.Disposable.from(
    vscode.workspace.registerFileSystemProvider(NEW_FILE_SCHEME, deep.previews, { isCaseSensitive: true }),
    lenses,
    vscode.languages.registerCodeLensProvider({ scheme: '*' }, lenses),
    vscode.languages.registerInlayHintsProvider({ scheme: '*' }, new PendingEditInlayControls(sessions)),
    vscode.languages.registerCodeActionsProvider({ scheme: '*' }, new SparkCodeActions(), {
      providedCodeActionKinds: SparkCodeActions.providedCodeActionKinds,
    }),
  );
}
