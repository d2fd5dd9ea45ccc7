import { Disposable } from './util/dispose';
import { initWalkthroughProgress, walkthroughTick } from './walkthroughProgress';
import { registerKeyCommand } from './util/keyCommands';

/** One command: its id and what it does (markdown-language-features' `Command`). */
export interface Command {
  readonly id: string;
  execute(...args: any[]): unknown;
}

/** Registers commands and unregisters them all when disposed. */
export class CommandManager extends Disposable {
  /** `extensionId`: the walkthrough's steps are named under it (walkthroughProgress.ts). */
  constructor(extensionId: string) {
    super();
    initWalkthroughProgress(extensionId);
  }

  register(...commands: Command[]): void {
    for (const c of commands)
      this._register(
        registerKeyCommand(c.id, (...args: unknown[]) => {
          walkthroughTick(c.id); // the walkthrough's step ticks, however the command was run
          return c.execute(...args);
        }),
      );
  }
}
