import * as vscode from 'vscode';
import { Command } from '../commandManager';
import { pickDemoFile } from '../../core/demoFile';

/**
 * "Open orders.ts" in the walkthrough (issue 15): opens the workspace's file of that name in the editor (the demo
 * workspace's first), not Quick Open with the name typed in. Quick Open only when no such file exists.
 */
export class OpenDemoFileCommand implements Command {
  readonly id = 'sparkEdit.openDemoFile';
  async execute(name?: string) {
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) return;
    const found = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 20);
    const best = pickDemoFile(found.map((u) => u.path));
    const uri = found.find((u) => u.path === best);
    if (!uri) return vscode.commands.executeCommand('workbench.action.quickOpen', name);
    await vscode.window.showTextDocument(uri, { preview: false });
  }
}
