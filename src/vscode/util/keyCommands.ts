import * as vscode from 'vscode';

/**
 * Commands bound to keys, known to the workbench before their first key (session 18, a newcomer: the first Enter of a
 * browser session in the box at the code, `qz` typed right after it went into the instruction, "use constqz" sent,
 * 3 of 3). The first time a session runs an extension's command, the workbench asks the extension host to activate
 * `onCommand:<id>` and waits for the answer before running it (VS Code's CommandService.executeCommand: one round trip
 * to the extension host, longer while it is busy); the characters typed meanwhile (VS Code's `type`, already known)
 * overtook that Enter and were typed into the box before it was read. A command run inside the extension host tells
 * the workbench the same event without waiting (`$fireCommandActivationEvent`): each command bound to a key is run
 * once at activation with WARM_UP, which the handler registered here ignores.
 */
const WARM_UP = Object.freeze({ sparkEditWarmUp: true });

/** The ids registered with registerKeyCommand (only those are ever run with WARM_UP). */
const guarded = new Set<string>();

/** `vscode.commands.registerCommand`, and `fn` is not run for the warm-up (see warmKeyCommands). */
export function registerKeyCommand(id: string, fn: (...args: any[]) => unknown): vscode.Disposable {
  guarded.add(id);
  const sub = vscode.commands.registerCommand(id, (...args: unknown[]) =>
    args.length === 1 && args[0] === WARM_UP ? undefined : fn(...args),
  );
  return new vscode.Disposable(() => {
    guarded.delete(id);
    sub.dispose();
  });
}

/**
 * Runs each of `keybound` (the commands the extension's keybindings name) that was registered with registerKeyCommand
 * once with WARM_UP: the workbench then runs their first key at once. Returns how many.
 */
export async function warmKeyCommands(keybound: readonly string[], log: (m: string) => void): Promise<number> {
  const ids = [...new Set(keybound)].filter((id) => guarded.has(id));
  await Promise.all(
    ids.map((id) =>
      Promise.resolve(vscode.commands.executeCommand(id, WARM_UP)).then(undefined, (e) =>
        log(`keys: ${id} could not be made known ahead (${String(e)}): its first key waits one round trip`),
      ),
    ),
  );
  log(`keys: ${ids.length} commands bound to keys made known to the workbench ahead of their first key`);
  return ids.length;
}

/** The commands the extension's own keybindings name (its package.json). */
export function keyboundCommands(extension: vscode.Extension<unknown>): string[] {
  const kb = (extension.packageJSON as { contributes?: { keybindings?: { command?: unknown }[] } }).contributes
    ?.keybindings;
  return (kb ?? []).map((k) => k.command).filter((c): c is string => typeof c === 'string');
}
